"""MobileNet v1 backbone (spec §3.7, §2.3), the body of the lite variant."""
import re

from osmnseg.models.backbones.base import Backbone, Step, scale_channels
from osmnseg.models.layers import Conv2D, ConvBN, DepthwiseConv2D, initializers
from osmnseg.registry import BACKBONES

# (stride, output channels) of Conv2d_0 (3x3 conv) and Conv2d_1..13 (depthwise + pointwise).
CONV_DEFS = ((2, 32), (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512), (1, 512),
             (1, 512), (1, 512), (1, 512), (1, 512), (2, 1024), (1, 1024))


def pointwise_index(name):
    """The MobileNet layer index of ``'Conv2d_<i>_pointwise'`` (``None`` for other names)."""
    match = re.fullmatch(r'Conv2d_(\d+)_pointwise', name)
    return int(match.group(1)) if match else None


@BACKBONES.register_module()
class MobileNetV1(Backbone):
    """MobileNet v1: ``Conv2d_0`` then 13 depthwise-separable layers, each conv -> BN -> ReLU6.

    Steps: ``Conv2d_0``, ``Conv2d_<i>_depthwise``, ``Conv2d_<i>_pointwise`` (i = 1..13), with
    the slim scopes as names. Batch norm: decay ``momentum`` (0.997), eps 1e-3, mode = the
    ``training`` flag (never frozen by ``fix_bn``, as the original). Kernels TruncatedNormal(0.09);
    L2 on regular convs only (not on depthwise kernels).

    Args:
        depth_multiplier: MobileNet's channel multiplier; channels are
            ``max(int(c * depth_multiplier * width), min_depth)``.
        width: the toolkit-wide width knob of every backbone (e.g. 0.125 for cheap tests);
            multiplies ``depth_multiplier``.
        min_depth: smallest channel count.
        modulated_layers: indices i whose ``Conv2d_<i>_pointwise`` output is modulatable
            (3, 5, 11, 13 in OSMN-lite).
        momentum, epsilon: batch-norm parameters.
        in_channels: input channels.
        trainable: whether the weights are trained (the segmentor passes ``train_seg``).
        frozen_stages: layers ``Conv2d_0`` .. ``Conv2d_<frozen_stages>`` keep their weights and
            batch-norm statistics (mmseg's ``frozen_stages``; -1 freezes nothing). Fine-tuning
            from ImageNet this saves the backward pass of the high-resolution layers.
        norm_eval: run every batch norm in inference mode, also while training (mmseg's
            ``norm_eval``): the ImageNet statistics are kept instead of being replaced by those
            of small batches; gamma/beta are still trained.
        scope: name scope (``'seg'`` in the segmentation net).

    Call (see :class:`Backbone`): input ``[B,H,W,in_channels]``; step outputs have SAME-stride
    sizes ``ceil(H / stride)``.
    """

    def __init__(self, depth_multiplier=1.0, width=1.0, min_depth=8,
                 modulated_layers=(3, 5, 11, 13), momentum=0.997, epsilon=1e-3, in_channels=3,
                 trainable=True, frozen_stages=-1, norm_eval=False, scope='seg'):
        super().__init__(scope)
        self.modulated_indices = tuple(modulated_layers)
        self.frozen_stages = int(frozen_stages)
        self.norm_eval = bool(norm_eval)
        self.layers = {}
        channels = in_channels
        init = initializers.truncated_normal(0.09)
        for i, (stride, out) in enumerate(CONV_DEFS):
            layer_trainable = trainable and i > self.frozen_stages
            bn = dict(momentum=momentum, epsilon=epsilon, activation='relu6',
                      trainable=layer_trainable)
            out = scale_channels(out, depth_multiplier * width, min_depth)
            if i == 0:
                conv = Conv2D('', channels, out, 3, stride=stride, use_bias=False,
                              kernel_init=init, trainable=layer_trainable)
                self.layers['Conv2d_0'] = ConvBN('Conv2d_0', conv, out, **bn)
            else:
                depthwise = DepthwiseConv2D('', channels, stride=stride, kernel_init=init,
                                            trainable=layer_trainable)
                pointwise = Conv2D('', channels, out, 1, use_bias=False, kernel_init=init,
                                   trainable=layer_trainable)
                self.layers[f'Conv2d_{i}_depthwise'] = ConvBN(f'Conv2d_{i}_depthwise', depthwise,
                                                              channels, **bn)
                self.layers[f'Conv2d_{i}_pointwise'] = ConvBN(f'Conv2d_{i}_pointwise', pointwise,
                                                              out, **bn)
            channels = out

    def _bn_training(self, layer_index, training):
        """Batch-norm mode of layer ``layer_index`` when the network runs with ``training``."""
        return training and not self.norm_eval and layer_index > self.frozen_stages

    def steps(self):
        steps, stride = [], 1
        for name, layer in self.layers.items():
            if not name.endswith('_pointwise'):
                stride *= layer.conv.stride
            index = 0 if name == 'Conv2d_0' else int(name.split('_')[1])
            steps.append(Step(name, lambda x, training, layer=layer, index=index: layer(
                x, training=self._bn_training(index, training)),
                int(layer.bn.gamma.shape[0]), stride,
                pointwise_index(name) in self.modulated_indices))
        return steps
