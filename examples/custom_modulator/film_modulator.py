"""A FiLM modulator for OSMN, written as a user module outside the osmnseg package.

FiLM (Perez et al., AAAI 2018) modulates a feature map with a per-channel scale and shift
predicted from a conditioning input; here the condition is OSMN's visual guide. Importing this
module registers ``FiLMModulator`` in ``MODULATORS``, so a config can say
``visual_modulator=dict(type='FiLMModulator', targets=(...))``.
"""
import tensorflow as tf

from osmnseg.models.layers import Conv2D, initializers
from osmnseg.models.modulators.base import Modulator
from osmnseg.registry import MODULATORS

VGG16_CONV4_CONV5 = ('conv4_1', 'conv4_2', 'conv4_3', 'conv5_1', 'conv5_2', 'conv5_3')


@MODULATORS.register_module()
class FiLMModulator(Modulator):
    """Visual guide -> a scale γ and a shift β per channel of each layer in ``targets``.

    Two 3x3 stride-4 convs with ReLU and a global average pool summarise the guide into a
    ``[B,1,1,channels]`` vector; one 1x1 head per target layer maps it to ``2C`` values, split
    into ``γ = 1 + first C`` and ``β = last C``. The heads start at zero, so a fresh modulator is
    the identity (γ = 1, β = 0). Variables: ``osmn/film/conv1``, ``osmn/film/conv2``,
    ``osmn/film/<layer>`` (``weights`` and ``biases``; every kernel carries the model's L2).

    Args:
        layers: the backbone's modulatable layers (passed by the segmentor).
        targets: names of the layers to modulate, e.g. ``('conv4_1', ..., 'conv5_3')`` for VGG16
            or ``('Conv2d_11_pointwise', 'Conv2d_13_pointwise')`` for MobileNet v1.
        channels: width of the guide encoder.
        scope: name scope of the variables.

    Call: ``guide [B,224,224,3]`` (normalised, compute dtype) ->
    ``({layer: γ [B,C]}, {layer: β [B,C]})`` for every layer of ``targets``.
    """

    def __init__(self, layers, targets=VGG16_CONV4_CONV5, channels=32, scope='film'):
        super().__init__(layers, scope)
        available = [layer.name for layer in self.layers]
        unknown = [name for name in targets if name not in available]
        if unknown or not targets:
            raise ValueError(f'targets {list(targets)} must be a non-empty subset of the '
                             f'modulatable layers {available} (VGG conv1_x/conv2_x need '
                             f'model.mod_early_conv=True); unknown: {unknown}')
        self.layers = tuple(layer for layer in self.layers if layer.name in targets)
        self.conv1 = Conv2D('conv1', 3, channels, 3, stride=4, activation='relu',
                            kernel_init=initializers.normal(0.01))
        self.conv2 = Conv2D('conv2', channels, channels, 3, stride=4, activation='relu',
                            kernel_init=initializers.normal(0.01))
        self.heads = [Conv2D(layer.name, channels, 2 * layer.channels, 1,
                             kernel_init=initializers.zeros) for layer in self.layers]

    def __call__(self, guide, training=False):
        x = self.conv2(self.conv1(guide))                  # [B,14,14,channels] for 224x224
        x = tf.reduce_mean(x, axis=[1, 2], keepdims=True)  # [B,1,1,channels]
        scales, shifts = {}, {}
        for layer, head in zip(self.layers, self.heads):
            gamma, beta = tf.split(head(x)[:, 0, 0, :], 2, axis=-1)  # [B,C] each
            scales[layer.name] = 1.0 + gamma
            shifts[layer.name] = beta
        return scales, shifts
