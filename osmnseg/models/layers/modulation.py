"""The modulation contract shared by backbones, modulators and the segmentor."""
import collections

import tensorflow as tf

ModulatableLayer = collections.namedtuple('ModulatableLayer', ['name', 'channels', 'stride'])
ModulatableLayer.__doc__ = """A backbone layer that may be modulated.

Fields: ``name`` (layer name, e.g. ``'conv3_1'``), ``channels`` (C of its output) and
``stride`` (its output stride relative to the input image)."""


def modulate(x, scale=None, shift=None):
    """Return ``x * scale + shift`` (either may be ``None``), computed in ``x``'s dtype.

    Args:
        x: ``[B,h,w,C]`` activation of a modulated layer (after its activation function).
        scale: ``[B,C]`` or ``[B,h,w,C]`` (or broadcastable) per-sample scales γ.
        shift: ``[B,C]`` or ``[B,h,w,C]`` (or broadcastable) per-sample shifts β.
    """
    if scale is not None:
        x = x * as_map(tf.cast(scale, x.dtype))
    if shift is not None:
        x = x + as_map(tf.cast(shift, x.dtype))
    return x


def as_map(t):
    """``[B,C]`` -> ``[B,1,1,C]`` (broadcastable over a feature map); other ranks unchanged."""
    if t.shape.rank == 2:
        return t[:, tf.newaxis, tf.newaxis, :]
    return t
