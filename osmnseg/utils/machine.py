"""Facts about this machine read without TensorFlow: CPU model and flags, installed adapters.

The devices (``osmnseg.devices``) decide with them, and the environment report
(``osmnseg.utils.collect_env``) prints them; both sit above this module.
"""
import functools
import importlib.util
import os
import platform

# The Python module of Huawei Ascend's TensorFlow 2 adapter (the NPU device imports it).
NPU_ADAPTER_MODULE = 'npu_device'
# Instruction-set flags (as /proc/cpuinfo spells them) that matter for TF's CPU kernels.
RELEVANT_CPU_FLAGS = ('avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_fp16', 'amx_tile',
                      'amx_bf16')
# Native bfloat16 dot products; without them oneDNN emulates bf16 and it is slower than fp32.
BF16_CPU_FLAGS = ('avx512_bf16', 'amx_bf16')


@functools.lru_cache(maxsize=None)
def read_cpu_info(path='/proc/cpuinfo'):
    """The CPU model name and instruction-set flags of this machine.

    Args:
        path: the Linux ``cpuinfo`` file; elsewhere the model comes from ``platform`` and the
            flags are empty.

    Returns:
        dict(model_name=str, flags=frozenset of str).
    """
    fallback = platform.processor() or platform.machine()
    if not os.path.isfile(path):
        return dict(model_name=fallback, flags=frozenset())
    fields = {}  # the first processor's entry is enough: all cores report the same
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            key, _, value = line.partition(':')
            fields.setdefault(key.strip(), value.strip())
    flags = fields.get('flags', fields.get('Features', ''))  # x86 / ARM spelling
    return dict(model_name=fields.get('model name', fallback), flags=frozenset(flags.split()))


def cpu_has_fast_bf16(flags=None):
    """True when the CPU has native bfloat16 instructions (AVX512_BF16 or AMX_BF16)."""
    flags = read_cpu_info()['flags'] if flags is None else flags
    return any(flag in flags for flag in BF16_CPU_FLAGS)


def npu_adapter_installed():
    """Whether Ascend's adapter module can be imported (looked up, not imported)."""
    return importlib.util.find_spec(NPU_ADAPTER_MODULE) is not None
