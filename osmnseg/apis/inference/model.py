"""``init_segmentor``: build an OSMN model from a config, load weights, set the compute dtype."""
import os

from osmnseg.config import Config


def init_segmentor(config, checkpoint=None, device='cpu', cfg_options=None, dtype=None):
    """Build an OSMN model ready for inference.

    Args:
        config: config file path or :class:`~osmnseg.config.Config` (not modified).
        checkpoint: a work dir (its ``last_checkpoint``), a checkpoint prefix, or an original
            OSMN / TF-slim checkpoint (detected by ``load_checkpoint``); ``None`` keeps the
            random initialisation.
        device: a device name (``'cpu'``, ``'gpu'``, ``'npu'``), a device config dict or a
            :class:`~osmnseg.devices.Device`; it is set up before the model is built.
        cfg_options: ``{dotted key: value}`` overrides merged into the config.
        dtype: compute dtype (``'float32' | 'bfloat16' | 'float16'``); default: the device's
            ``default_precision('inference')``.

    Returns:
        the OSMN module with weights loaded, compute dtype set and ``model.cfg`` attached.
    """
    from osmnseg.devices import Device, build_device
    from osmnseg.models import build_segmentor, load_checkpoint

    cfg = Config.fromfile(config) if isinstance(config, (str, os.PathLike)) else config.deepcopy()
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    device = device if isinstance(device, Device) else build_device(device)
    device.setup()
    model = build_segmentor(cfg.model)
    if checkpoint is not None:
        load_checkpoint(model, str(checkpoint))
    model.set_compute_dtype(dtype or device.default_precision('inference'))
    model.cfg = cfg
    return model
