"""Devices: where and how TensorFlow runs (DEVICES registry: CPU, GPU, NPU).

    >>> from osmnseg.devices import build_device
    >>> device = build_device(device_config(cfg, args.device)).setup()
    >>> strategy = device.strategy()
"""
from osmnseg.devices.base import Device
from osmnseg.devices.cpu import CPU
from osmnseg.devices.gpu import GPU
from osmnseg.devices.npu import NPU
from osmnseg.registry import DEVICES
from osmnseg.utils.errors import ConfigError
from osmnseg.utils.machine import cpu_has_fast_bf16, read_cpu_info

__all__ = ['Device', 'CPU', 'GPU', 'NPU', 'build_device', 'device_config', 'read_cpu_info',
           'cpu_has_fast_bf16']

DEFAULT_DEVICE = 'cpu'


def device_config(cfg, choice=None):
    """The device to run on, by the one precedence every tool and API follows: ``choice``
    (the command line's ``--device``) > the config's ``device`` entry > ``'cpu'``.

    Args:
        cfg: a config (its ``device`` entry, a name or a dict, may be absent).
        choice: a device name (``'cpu'``, ``'gpu'``, ``'npu'``, any case) or ``None``.

    Returns:
        what :func:`build_device` takes: the config's entry when ``choice`` is ``None`` or names
        the configured type (so the entry's options, e.g. GPU ``ids``, stay), else
        ``dict(type=CHOICE)``.
    """
    configured = cfg.get('device') or DEFAULT_DEVICE
    if choice is None:
        return configured
    configured_type = configured if isinstance(configured, str) else configured.get('type', '')
    if str(configured_type).lower() == choice.lower():
        return configured
    return dict(type=choice.upper())


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
