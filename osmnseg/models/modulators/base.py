"""Modulator base: the contract between modulators, backbones and the segmentor.

A modulator is built with ``layers``: the backbone layers it may modulate, as
``ModulatableLayer(name, channels, stride)`` in network order (the segmentor passes the
backbone's modulatable layers, minus the early ones unless ``mod_early_conv``). It exposes
``modulated_layers`` (the names it actually transforms) and is called as
``modulator(guide, training) -> (scales, shifts)`` (a 2-tuple or a
:class:`~osmnseg.models.layers.Modulation`) with

* ``scales``: ``{layer_name: [B,C]}`` (or ``[B,h,w,C]``) multiplied into the layer output,
* ``shifts``: ``{layer_name: [B,h,w,C]}`` (or ``[B,C]``) added after the scaling,

either dict possibly empty. The segmentor applies ``f' = scale * f + shift`` right after the
layer's activation, with no further activation. The visual slot receives the 224x224 visual guide
(once per object); the spatial slot receives the ``[B,H,W,1]`` spatial guide (every frame).
"""
import tensorflow as tf

from osmnseg.models.layers import GuideShift, ModulatableLayer, Modulation, Module


class Modulator(Module):
    """Base class of modulators; see the module docstring for the contract.

    Args:
        layers: iterable of ``(name, channels, stride)`` the modulator may transform.
        scope: name scope in the original graph.
    """

    def __init__(self, layers, scope=''):
        super().__init__(scope)
        self.layers = tuple(ModulatableLayer(*layer) for layer in layers)

    @property
    def modulated_layers(self):
        """Names of the backbone layers this modulator transforms (default: all ``layers``)."""
        return tuple(layer.name for layer in self.layers)

    def inference_modulation(self, guide, compute_dtype):
        """The :class:`~osmnseg.models.layers.Modulation` of the float32 ``guide`` with batch
        norm in inference mode, in the form the backbone applies fastest (the segmentor calls
        this outside training). Default: ``self(guide in compute_dtype, training=False)``; the
        spatial modulators return :class:`~osmnseg.models.layers.GuideShift` shifts, their
        guides pooled in float32 (the fused kernel computes in float32)."""
        return Modulation(*self(tf.cast(guide, compute_dtype), training=False))


def guide_shifts(conv_bn, guide, layers):
    """``{layer.name: GuideShift}`` of a bias-free 1x1 ``conv_bn`` (one input channel, ReLU,
    batch norm in inference mode) on ``guide [B,h,w,1]``, its output channels split over
    ``layers`` as :func:`split_channels` splits the map."""
    kernel, bias = conv_bn.inference_weights()
    sizes = [layer.channels for layer in layers]
    return {layer.name: GuideShift(guide, weight, part) for layer, weight, part in
            zip(layers, tf.split(kernel[0, 0, 0], sizes), tf.split(bias, sizes))}


def split_channels(x, layers):
    """Split ``x [..., sum(C)]`` along the last axis into ``{layer.name: x[..., slice_of_layer]}``
    with consecutive slices in the order of ``layers`` (the layout of §3.2 / §3.3)."""
    parts = tf.split(x, [layer.channels for layer in layers], axis=-1)
    return {layer.name: part for layer, part in zip(layers, parts)}
