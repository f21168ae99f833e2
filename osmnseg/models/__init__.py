"""osmnseg.models: the OSMN networks (backbones, modulators, heads, segmentors, losses).

Public entry points: :func:`build_segmentor` and :func:`load_checkpoint` (checkpoint loading
lives in ``osmnseg.models.checkpoint``; imported on first use).
"""
from osmnseg.models.builder import build_segmentor

__all__ = ['build_segmentor', 'load_checkpoint']


def __getattr__(name):
    # load_checkpoint is imported lazily: it depends on this package's modules, not vice versa.
    if name == 'load_checkpoint':
        from osmnseg.models.checkpoint import load_checkpoint
        return load_checkpoint
    raise AttributeError(f"module 'osmnseg.models' has no attribute {name!r}")
