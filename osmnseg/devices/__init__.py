"""Devices: where and how TensorFlow runs (DEVICES registry: CPU, GPU, NPU).

    >>> from osmnseg.devices import build_device
    >>> device = build_device(cfg.get('device', 'cpu')).setup()
    >>> strategy = device.strategy()
"""
from osmnseg.devices.base import PRECISIONS, Device, xla_kernels_available
from osmnseg.devices.cpu import CPU
from osmnseg.devices.gpu import GPU
from osmnseg.devices.npu import NPU
from osmnseg.registry import DEVICES
from osmnseg.utils.errors import ConfigError
from osmnseg.utils.machine import cpu_has_fast_bf16, read_cpu_info

__all__ = ['Device', 'CPU', 'GPU', 'NPU', 'PRECISIONS', 'build_device', 'read_cpu_info',
           'cpu_has_fast_bf16', 'xla_kernels_available']


def build_device(cfg_or_name, **overrides):
    """Build a device from a name (``'cpu'``, ``'gpu'``, ``'npu'``) or a config dict.

    Args:
        cfg_or_name: a registered device name, or a dict such as ``dict(type='GPU', ids=[0, 1])``
            (the config key ``device``).
        **overrides: constructor options that replace those of ``cfg_or_name`` (command-line
            values such as ``ids`` from ``--gpu-ids``).

    Returns:
        A ``Device``; call ``.setup()`` before creating tensors.
    """
    if isinstance(cfg_or_name, str):
        cfg = dict(type=cfg_or_name)
    elif hasattr(cfg_or_name, 'keys'):
        cfg = dict(cfg_or_name)
    else:
        raise ConfigError(f"device must be a name ('cpu', 'gpu', 'npu') or a dict with a 'type' "
                          f"key, got {cfg_or_name!r}.")
    cfg.update(overrides)
    return DEVICES.build(cfg, key='device')
