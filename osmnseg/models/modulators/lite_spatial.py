"""Spatial modulator of the lite variant (spec §3.7)."""
from osmnseg.models.backbones.mobilenet_v1 import pointwise_index
from osmnseg.models.layers import Conv2D, ConvBN, Modulation, ceil_valid_avg_pool, initializers
from osmnseg.models.modulators.base import Modulator, guide_shifts
from osmnseg.registry import MODULATORS
from osmnseg.utils.errors import BuildError


@MODULATORS.register_module()
class LiteSpatialModulator(Modulator):
    """Spatial guide -> one shift map per modulated MobileNet layer.

    The guide is average-pooled with non-overlapping windows (``pool4``: 4x4, then ``pool8``,
    ``pool16``, ``pool32``: 2x2) down to each layer's stride, and each level goes through a
    bias-free 1x1 conv (scope ``conv<i>`` for layer ``Conv2d_<i>_pointwise``; TruncatedNormal 0.09)
    -> BN (decay 0.99, eps 1e-3) -> ReLU. The original pools are VALID, which only fits
    MobileNet's SAME strides when H and W are multiples of 32 (quirk 5); here the last partial
    window averages the pixels it covers, so the maps have MobileNet's ``ceil(H/stride)`` sizes
    for any H, W and equal the original exactly at multiples of 32.

    Args:
        layers: the layers to modulate (passed by the segmentor), strides increasing.
        momentum, epsilon: batch-norm parameters.
        scope: name scope.

    Call: ``guide [B,H,W,1]`` -> ``({}, {layer: [B,ceil(H/s),ceil(W/s),C]})``; ``training`` is
    the BN mode (the segmentor passes ``training and not fix_bn``).
    """

    def __init__(self, layers, momentum=0.99, epsilon=1e-3, scope='modulator_sp'):
        super().__init__(layers, scope)
        previous = 1
        for layer in self.layers:
            if layer.stride % previous:
                raise BuildError(f'lite spatial modulator: layer strides must be increasing '
                                 f'multiples of each other, got {[l.stride for l in self.layers]}.')
            previous = layer.stride
        self.convs = []
        for layer in self.layers:
            index = pointwise_index(layer.name)
            conv = Conv2D('', 1, layer.channels, 1, use_bias=False,
                          kernel_init=initializers.truncated_normal(0.09))
            self.convs.append(ConvBN(layer.name if index is None else f'conv{index}', conv,
                                     layer.channels, momentum, epsilon))

    def __call__(self, guide, training=False):
        return {}, {layer.name: conv_bn(pooled, training=training)
                    for layer, conv_bn, pooled in zip(self.layers, self.convs,
                                                      self._pooled_guides(guide))}

    def inference_modulation(self, guide, compute_dtype):
        """Inference shifts as :class:`~osmnseg.models.layers.GuideShift` (equal maps), from the
        float32 guide (the fused kernel computes in float32 whatever ``compute_dtype``)."""
        shifts = {}
        for layer, conv_bn, pooled in zip(self.layers, self.convs, self._pooled_guides(guide)):
            shifts.update(guide_shifts(conv_bn, pooled, [layer]))
        return Modulation({}, shifts)

    def _pooled_guides(self, guide):
        """The guide pooled to each layer's stride, in layer order."""
        x, stride = guide, 1
        for layer in self.layers:
            if layer.stride > stride:
                x = ceil_valid_avg_pool(x, layer.stride // stride)
                stride = layer.stride
            yield x
