"""DeepLab-v2 ASPP head of the deeplab and masktrack variants (spec §3.5–3.6)."""
import tensorflow as tf

from osmnseg.models.layers import BilinearUpsample, Conv2D, Dropout, Module
from osmnseg.registry import HEADS


@HEADS.register_module()
class ASPPHead(Module):
    """Four atrous branches summed, upsampled by a frozen bilinear transposed conv, centre-cropped.

    Branch k (rate r_k): ``fc6_k`` 3x3 conv, dilation r_k, ReLU -> dropout -> ``fc7_k`` 1x1, ReLU
    -> dropout -> ``{score_name}_k`` 1x1 to 1 logit (linear). The sum goes through ``score-up``
    (kernel 2s, stride s for input stride s = 8) and is centre-cropped to the input size with
    floor offsets. Scope ``seg``; every conv ``trainable = train_seg``.

    Args:
        in_channels, in_strides: backbone channels and strides (passed by the segmentor).
        in_feature: backbone step output to read (``pool5``).
        rates: dilation rates of the branches (6, 12, 18, 24).
        channels: width of fc6/fc7 (1024).
        dropout: drop rate after fc6 and fc7 (training only).
        score_name: ``'fc8_voc12'`` (deeplab) or ``'fc8'`` (masktrack).
        trainable: whether the convs are trained (``train_seg``).
        scope: name scope.

    Call: ``head(features, output_size, training)`` -> logits ``[B,H,W,1]`` (compute dtype).
    """

    def __init__(self, in_channels, in_strides, in_feature='pool5', rates=(6, 12, 18, 24),
                 channels=1024, dropout=0.5, score_name='fc8_voc12', trainable=True, scope='seg'):
        super().__init__(scope)
        self.in_features = (in_feature,)
        conv = dict(trainable=trainable)
        self.branches = []
        for k, rate in enumerate(rates, start=1):
            self.branches.append(dict(
                fc6=Conv2D(f'fc6_{k}', in_channels[in_feature], channels, 3, dilation=rate,
                           activation='relu', **conv),
                drop6=Dropout(dropout),
                fc7=Conv2D(f'fc7_{k}', channels, channels, 1, activation='relu', **conv),
                drop7=Dropout(dropout),
                fc8=Conv2D(f'{score_name}_{k}', channels, 1, 1, **conv)))
        stride = in_strides[in_feature]
        self.upsample = BilinearUpsample('score-up', 1, 2 * stride, stride)

    def __call__(self, features, output_size, training=False):
        x = features[self.in_features[0]]
        scores = []
        for branch in self.branches:
            y = branch['drop6'](branch['fc6'](x), training=training)
            y = branch['drop7'](branch['fc7'](y), training=training)
            scores.append(branch['fc8'](y))
        return self.upsample(tf.add_n(scores), crop_to=output_size)
