"""Entry point that builds a segmentor from the ``model`` section of a config."""
from osmnseg.registry import SEGMENTORS


def build_segmentor(cfg):
    """Build the segmentor described by ``cfg`` (e.g. ``cfg.model``: ``dict(type='OSMN', ...)``).

    Returns:
        The segmentor, an ``OSMN`` ``tf.Module`` for the shipped configs.
    """
    return SEGMENTORS.build(cfg, key='model')
