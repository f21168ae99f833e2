"""OSVOS-style side-output head of the osvos variant (spec §3.4)."""
import re

import tensorflow as tf

from osmnseg.models.heads.side_projection import ProjectedSides
from osmnseg.models.layers import BilinearUpsample, Conv2D, Module
from osmnseg.registry import HEADS


def block_number(feature):
    """``'conv3_3' -> '3'``: the block number used in the original upsampling scope names."""
    match = re.match(r'conv(\d+)_', feature)
    return match.group(1) if match else feature


@HEADS.register_module()
class SideOutputHead(Module):
    """Side outputs from several backbone layers, upsampled to the input size and fused.

    Per feature ``f`` (default conv2_2, conv3_3, conv4_3, conv5_3 = ``net_2..net_5``, taken after
    modulation): ``{f}_16`` 3x3 conv (16 ch, linear, bias) -> ``score-multi{b}-up`` frozen bilinear
    transposed conv (kernel 2s, stride s for feature stride s) -> centre crop to the input size
    with floor offsets. The crops are concatenated in feature order and ``upscore-fuse`` (1x1,
    1 output, linear, bias, always trainable) gives the logits. Scope ``seg``.

    Args:
        in_channels, in_strides: ``{feature: channels}``, ``{feature: stride}`` of the backbone
            (passed by the segmentor).
        in_features: backbone step outputs to read.
        side_channels: channels of each side output (16).
        trainable: whether the side convs are trained (``train_seg``).
        scope: name scope.

    Call: ``head(features, output_size, training)`` with ``features {name: [B,h,w,C]}`` and
    ``output_size`` the ``(H, W)`` of the input -> logits ``[B,H,W,1]`` in the compute dtype.
    """

    def __init__(self, in_channels, in_strides, in_features=('conv2_2', 'conv3_3', 'conv4_3',
                                                             'conv5_3'),
                 side_channels=16, trainable=True, scope='seg'):
        super().__init__(scope)
        self.in_features = tuple(in_features)
        self.sides, self.upsamples = [], []
        for feature in self.in_features:
            stride = in_strides[feature]
            self.sides.append(Conv2D(f'{feature}_16', in_channels[feature], side_channels, 3,
                                     trainable=trainable))
            self.upsamples.append(BilinearUpsample(f'score-multi{block_number(feature)}-up',
                                                   side_channels, 2 * stride, stride))
        self.fuse = Conv2D('upscore-fuse', side_channels * len(self.in_features), 1, 1)
        self.projection = ProjectedSides(self.sides, self.fuse)

    def freeze(self, dtype, xla_kernels):
        """Hold the projected side weights as ``dtype`` constants (:class:`ProjectedSides`)."""
        self.projection = ProjectedSides(self.sides, self.fuse, dtype)

    def ordered_children(self):
        return [m for pair in zip(self.sides, self.upsamples) for m in pair] + [self.fuse]

    def __call__(self, features, output_size, training=False):
        """``fuse(concat(crop(up(side(f)))))`` computed in the equal order ``Σ crop(up(side(f)
        · w_f)) + b``: the side convs are linear, upsampling and cropping act per channel and
        linearly, so ``upscore-fuse``'s weights ``w_f`` (its 16 rows for side f) are applied to
        the side conv's kernel first and each side output is one channel at its own resolution
        instead of 16 channels upsampled, concatenated and fused at the input's (the same
        products, summed in another order)."""
        logits = tf.cast(self.fuse.bias, features[self.in_features[0]].dtype)
        scores = self.projection([features[f] for f in self.in_features], training)
        for score, up in zip(scores, self.upsamples):
            logits = logits + up(score, crop_to=output_size)
        return logits
