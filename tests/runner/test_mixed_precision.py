"""MixedPrecisionHook asks the device for the training precision and the loss scale."""
import pytest

from osmnseg.devices import CPU, GPU, NPU
from osmnseg.runner.hooks.mixed_precision import MixedPrecisionHook


@pytest.mark.parametrize('capability, expected', [((8, 0), ('float16', 'dynamic')),
                                                  ((7, 0), ('float16', 'dynamic')),
                                                  ((6, 1), ('float32', None))])
def test_auto_on_a_gpu_follows_its_compute_capability(monkeypatch, capability, expected):
    monkeypatch.setattr(GPU, 'compute_capability', lambda self: capability)
    assert MixedPrecisionHook().resolve(GPU()) == expected


def test_auto_on_the_cpu_and_the_npu(monkeypatch):
    cpu = CPU()
    assert MixedPrecisionHook().resolve(cpu) == (cpu.default_precision('train'), None)
    # the Ascend adapter mixes float16 into a float32 graph: scaled dynamically (no adapter
    # is needed to ask)
    assert MixedPrecisionHook().resolve(NPU()) == ('float32', 'dynamic')


def test_explicit_dtype_and_loss_scale_win():
    assert MixedPrecisionHook('float16').resolve(CPU()) == ('float16', 'dynamic')
    assert MixedPrecisionHook('float16', loss_scale=128.0).resolve(CPU()) == ('float16', 128.0)
