"""``init_segmentor``: build an OSMN model from a config, load weights, set the compute dtype."""
import os

from osmnseg.config import Config
from osmnseg.utils.precision import PRECISIONS


def init_segmentor(config, checkpoint=None, device=None, cfg_options=None, dtype=None):
    """Build an OSMN model ready for inference.

    Args:
        config: config file path or :class:`~osmnseg.config.Config` (not modified).
        checkpoint: a work dir (its ``last_checkpoint``), a checkpoint prefix, or an original
            OSMN / TF-slim checkpoint (detected by ``load_checkpoint``); ``None`` keeps the
            random initialisation.
        device: a device name (``'cpu'``, ``'gpu'``, ``'npu'``; the command line's
            ``--device``), a device config dict or a :class:`~osmnseg.devices.Device`; a name or
            ``None`` goes through :func:`~osmnseg.devices.device_config` (name > the config's
            ``device`` entry > ``'cpu'``, the entry's options kept for its own type). It is
            set up before the model is built.
        cfg_options: ``{dotted key: value}`` overrides merged into the config.
        dtype: compute dtype (one of ``osmnseg.utils.precision.PRECISIONS``); default: the
            config's ``inference_dtype`` as :func:`inference_precision` reads it.

    Returns:
        the OSMN module with weights loaded, compute dtype and ``xla_kernels`` (the device's)
        set and ``model.cfg`` attached; ``model.prepare_for_inference()`` makes its inference
        copy.
    """
    from osmnseg.devices import Device, build_device, device_config
    from osmnseg.models import build_segmentor, load_checkpoint

    cfg = Config.fromfile(config) if isinstance(config, (str, os.PathLike)) else config.deepcopy()
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if device is None or isinstance(device, str):
        device = device_config(cfg, device)
    device = device if isinstance(device, Device) else build_device(device)
    device.setup()
    model = build_segmentor(cfg.model)
    if checkpoint is not None:
        load_checkpoint(model, str(checkpoint))
    model.set_compute_dtype(dtype or inference_precision(cfg, device)[0])
    model.xla_kernels = device.xla_kernels
    model.cfg = cfg
    return model


INFERENCE_DTYPES = ('device', 'fast_bf16') + PRECISIONS


def inference_precision(cfg, device):
    """The inference compute dtype a config asks for on ``device``, and why.

    ``cfg.inference_dtype``: ``'device'`` (default: the device's
    ``default_precision('inference')``, float32 on CPUs), ``'fast_bf16'`` (bfloat16 on a device
    with fast bf16 -- AVX512-BF16 or AMX -- and the device's default elsewhere; for recipes
    whose bf16 accuracy was measured equal to float32's) or a dtype name.

    Returns:
        ``(dtype, reason)``, the reason a short phrase for the log.

    Raises:
        ConfigError: an unknown ``inference_dtype``.
    """
    from osmnseg.utils.errors import ConfigError

    choice = cfg.get('inference_dtype') or 'device'
    if choice not in INFERENCE_DTYPES:
        raise ConfigError(f'inference_dtype={choice!r} is unknown; use one of '
                          f'{", ".join(INFERENCE_DTYPES)}.')
    fast = bool(getattr(device, 'fast_bf16', False))
    if choice == 'fast_bf16' and fast:
        return 'bfloat16', "config inference_dtype='fast_bf16' on a device with fast bf16"
    if choice in ('device', 'fast_bf16'):
        return device.default_precision('inference'), (
            f"the device's inference default (config inference_dtype={choice!r}, "
            f"fast bf16: {'yes' if fast else 'no'})")
    return choice, f'config inference_dtype={choice!r}'

