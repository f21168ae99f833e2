"""Machine facts: the CPU model and flags from cpuinfo, native bf16 detection."""
import pytest

from osmnseg.utils import machine


def test_read_cpu_info_parses_model_and_flags(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nmodel name\t: Test CPU @ 2GHz\n'
                       'flags\t\t: fpu avx2 avx512f amx_bf16\n\n'
                       'processor\t: 1\nmodel name\t: Test CPU @ 2GHz\nflags\t\t: fpu\n')
    info = machine.read_cpu_info(str(cpuinfo))
    assert info['model_name'] == 'Test CPU @ 2GHz'
    assert info['flags'] == frozenset({'fpu', 'avx2', 'avx512f', 'amx_bf16'})
    missing = machine.read_cpu_info(str(tmp_path / 'absent'))
    assert missing['flags'] == frozenset()


@pytest.mark.parametrize('flags, fast', [({'avx512f', 'avx512_bf16'}, True), ({'amx_bf16'}, True),
                                         ({'avx2', 'avx512f', 'fma'}, False)])
def test_fast_bf16_needs_native_bf16_instructions(flags, fast):
    assert machine.cpu_has_fast_bf16(frozenset(flags)) is fast
