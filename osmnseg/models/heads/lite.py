"""Head of the lite variant (spec §3.7)."""
import tensorflow as tf

from osmnseg.models.backbones.mobilenet_v1 import pointwise_index
from osmnseg.models.heads.side_projection import ProjectedSides
from osmnseg.models.layers import Conv2D, Module, initializers, legacy_resize_bilinear
from osmnseg.registry import HEADS


@HEADS.register_module()
class LiteHead(Module):
    """3x3 side convs on the modulated MobileNet layers, resized to half the input, fused, resized.

    Per feature ``Conv2d_<i>_pointwise``: ``conv<i>_16`` (3x3, 16 ch, linear, bias) -> legacy
    bilinear resize to ``(H//2, W//2)``; concatenation (order of ``in_features``) -> ``score``
    (1x1, 1 logit) -> legacy bilinear resize to ``(H, W)``. Sizes come from the actual input
    (quirk 5 fixed), which equals the original's ``--im_size`` whenever that was usable.
    Scope '' (directly under ``osmn/``). Kernels TruncatedNormal(0.09).

    Args:
        in_channels, in_strides: backbone channels and strides (passed by the segmentor).
        in_features: backbone step outputs to read.
        side_channels: channels of each side conv (16).
        trainable: whether the convs are trained (``train_seg``; the original always trains).
        scope: name scope.

    Call: ``head(features, output_size, training)`` -> logits ``[B,H,W,1]`` float32.
    """

    def __init__(self, in_channels, in_strides, in_features=('Conv2d_3_pointwise',
                                                             'Conv2d_5_pointwise',
                                                             'Conv2d_11_pointwise',
                                                             'Conv2d_13_pointwise'),
                 side_channels=16, trainable=True, scope=''):
        super().__init__(scope)
        self.in_features = tuple(in_features)
        init = dict(kernel_init=initializers.truncated_normal(0.09), trainable=trainable)
        self.sides = []
        for feature in self.in_features:
            index = pointwise_index(feature)
            name = f'conv{index}_16' if index is not None else f'{feature}_16'
            self.sides.append(Conv2D(name, in_channels[feature], side_channels, 3, **init))
        self.score = Conv2D('score', side_channels * len(self.sides), 1, 1, **init)
        self.projection = ProjectedSides(self.sides, self.score)

    def freeze(self, dtype, xla_kernels):
        """Hold the projected side weights as ``dtype`` constants (:class:`ProjectedSides`)."""
        self.projection = ProjectedSides(self.sides, self.score, dtype)

    def __call__(self, features, output_size, training=False):
        """``resize(score(concat(resize(side(f)))))`` computed in the equal order
        ``resize(Σ resize(side(f) · w_f) + b)``: the side convs are linear and the bilinear
        resize is linear per channel with weights summing to 1, so ``score``'s weights ``w_f``
        (its 16 rows for side f) are applied to the side conv's kernel first and one channel
        per side is resized instead of 16 (the same products, summed in another order). The
        resized sides are summed and returned in float32, the dtype TF's resize computes in
        (no casts back and forth in bfloat16)."""
        height, width = output_size[0], output_size[1]
        half = (height // 2, width // 2)
        total = self.score.bias
        for side_logits in self.projection([features[f] for f in self.in_features], training):
            total = total + legacy_resize_bilinear(side_logits, half, tf.float32)
        return legacy_resize_bilinear(total, (height, width))
