"""The modulation contract shared by backbones, modulators and the segmentor."""
import collections
from typing import NamedTuple

import tensorflow as tf


ModulatableLayer = collections.namedtuple('ModulatableLayer', ['name', 'channels', 'stride'])
ModulatableLayer.__doc__ = """A backbone layer that may be modulated.

Fields: ``name`` (layer name, e.g. ``'conv3_1'``), ``channels`` (C of its output) and
``stride`` (its output stride relative to the input image)."""


class Modulation(NamedTuple):
    """What a modulator produces and the backbone applies: ``f' = scale * f + shift`` after the
    activation of each named layer.

    Fields (either dict may be empty):
        scales: ``{layer: [B,C] or [B,h,w,C]}`` per-sample scales γ.
        shifts: ``{layer: [B,h,w,C] or [B,C]}`` per-sample shifts β.

    :meth:`flatten` gives the one-dict form ``model.encode_guide`` returns and the SavedModel
    serves (``{layer: γ, '<layer>:shift': β}``); :meth:`unflatten` reads it back. They are the only
    code that knows that naming.
    """

    scales: dict
    shifts: dict

    def flatten(self):
        """``{layer: scale, '<layer>:shift': shift}``."""
        return {**self.scales, **{name + SHIFT_SUFFIX: v for name, v in self.shifts.items()}}

    @classmethod
    def unflatten(cls, params):
        """The :class:`Modulation` of a :meth:`flatten`-ed dict."""
        scales = {k: v for k, v in params.items() if not k.endswith(SHIFT_SUFFIX)}
        shifts = {k[:-len(SHIFT_SUFFIX)]: v for k, v in params.items() if k.endswith(SHIFT_SUFFIX)}
        return cls(scales, shifts)

    def combined(self, other):
        """Both modulations at once: scales of a layer present in both multiply, shifts add."""
        return Modulation(_union(self.scales, other.scales, tf.multiply),
                          _union(self.shifts, other.shifts, tf.add))


SHIFT_SUFFIX = ':shift'  # a shift's key in the flat form of a Modulation


def _union(first, second, combine):
    """Union of two ``{layer: tensor}`` dicts; entries present in both are ``combine``d (after
    expanding :class:`GuideShift` entries and bringing ``[B,C]`` vectors to ``[B,1,1,C]`` so
    they broadcast against ``[B,h,w,C]`` maps)."""
    merged = dict(first)
    for name, value in second.items():
        if name in merged:
            earlier, value = dense(merged[name]), dense(value)
            value = combine(as_map(tf.cast(earlier, value.dtype)), as_map(value))
        merged[name] = value
    return merged


class GuideShift(NamedTuple):
    """A shift map kept in the form a spatial modulator computes it at inference:
    ``relu(guide * weight + bias)``, a 1x1 convolution of a one-channel guide with its batch
    norm folded in, followed by ReLU. :func:`modulate` evaluates it inside its single fused
    kernel, so the ``[B,h,w,C]`` map is never written out.

    Fields: ``guide [B,h,w,1]`` (any float dtype; the built-in spatial modulators pool it in
    float32), ``weight [C]``, ``bias [C]`` (float32).
    """

    guide: tf.Tensor
    weight: tf.Tensor
    bias: tf.Tensor

    def dense(self):
        """The shift map ``[B,h,w,C]`` in the guide's dtype."""
        dtype = self.guide.dtype
        return tf.nn.relu(self.guide * tf.cast(self.weight, dtype) + tf.cast(self.bias, dtype))


def dense(shift):
    """``shift`` as a tensor: a :class:`GuideShift` expanded to its map, a tensor unchanged."""
    return shift.dense() if isinstance(shift, GuideShift) else shift


@tf.function(jit_compile=True, autograph=False)
def _guide_modulation(x, scale, guide, weight, bias):
    """``x * scale + relu(guide * weight + bias)`` (``scale`` may be ``None``) as one XLA kernel,
    one pass over ``x``; computed in float32 and rounded once to ``x``'s dtype (XLA's own
    bfloat16 arithmetic is 1.2-1.7x slower on CPU)."""
    y = tf.cast(x, tf.float32)
    if scale is not None:
        y = y * tf.cast(scale, tf.float32)
    shift = tf.cast(guide, tf.float32) * tf.cast(weight, tf.float32) + tf.cast(bias, tf.float32)
    return tf.cast(y + tf.nn.relu(shift), x.dtype)


def modulate(x, scale=None, shift=None, fused=True):
    """Return ``x * scale + shift`` (either may be ``None``), computed in ``x``'s dtype.

    With ``fused``, a :class:`GuideShift` is applied by one XLA-compiled element-wise kernel
    that also computes the shift map (inference: 3 passes over the modulated feature maps
    become 1; the lite variant's bfloat16 frame 40 -> 35 ms); without (a device without XLA
    kernels, ``Device.xla_kernels``) it is expanded first. Tensors go through TensorFlow's ops.

    Args:
        x: ``[B,h,w,C]`` activation of a modulated layer (after its activation function).
        scale: ``[B,C]`` or ``[B,h,w,C]`` (or broadcastable) per-sample scales γ.
        shift: ``[B,C]`` or ``[B,h,w,C]`` (or broadcastable) per-sample shifts β, or a
            :class:`GuideShift` with a guide of ``x``'s height and width.
        fused: apply a :class:`GuideShift` with the XLA kernel.
    """
    if isinstance(shift, GuideShift):
        if fused:
            return _guide_modulation(x, None if scale is None else as_map(scale), *shift)
        shift = shift.dense()
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


def broadcast_batch(t, batch):
    """``t [1 or batch, ...]`` as ``[batch, ...]`` (no copy when it already has ``batch``)."""
    return tf.broadcast_to(t, tf.concat([[batch], tf.shape(t)[1:]], 0))

