"""VGG16 visual modulator (spec §3.1–3.2): visual guide -> one scale per modulated channel."""
import tensorflow as tf

from osmnseg.models.backbones.base import scale_channels
from osmnseg.models.backbones.vgg16 import VGG16
from osmnseg.models.layers import Conv2D, Dropout, initializers
from osmnseg.models.modulators.base import Modulator, split_channels
from osmnseg.registry import MODULATORS
from osmnseg.utils.errors import ConfigError


@MODULATORS.register_module()
class VGG16VisualModulator(Modulator):
    """VGG16 classifier (conv1-5, pool5, fc6 7x7 VALID, fc7, dropout 0.5) whose ``fc8`` outputs
    ``N = sum(channels of the modulated layers)`` scales (3840, or 4224 with ``mod_early_conv``).

    ``fc8`` has a zero kernel and unit biases, so every scale is exactly 1 after initialisation.
    Scope ``modulator``; always trainable; every kernel L2-regularised.

    Args:
        layers: the layers to modulate (passed by the segmentor).
        width: multiplier of every channel count, fc6/fc7 included (1.0 = VGG16).
        fc_channels: fc6/fc7 width at ``width=1`` (4096).
        dropout: drop rate after fc6 and fc7 (training only).
        scope: name scope.

    Call: ``guide [B,224,224,3]`` (normalised, compute dtype) -> ``({layer: [B,C]}, {})``.
    The guide must be 224x224 (193..224 also give the 7x7 pool5 map fc6 needs).
    """

    def __init__(self, layers, width=1.0, fc_channels=4096, dropout=0.5, scope='modulator'):
        super().__init__(layers, scope)
        self.body = VGG16(layout='classifier', width=width, scope='')
        body_channels = self.body.channels['pool5']
        fc = scale_channels(fc_channels, width)
        outputs = sum(layer.channels for layer in self.layers)
        self.fc6 = Conv2D('fc6', body_channels, fc, 7, padding='VALID', activation='relu')
        self.drop6 = Dropout(dropout)
        self.fc7 = Conv2D('fc7', fc, fc, 1, activation='relu')
        self.drop7 = Dropout(dropout)
        self.fc8 = Conv2D('fc8', fc, outputs, 1, kernel_init=initializers.zeros,
                          bias_init=initializers.ones)

    def __call__(self, guide, training=False):
        x, _ = self.body(guide, training=training)
        pool5_size = x.shape[1:3].as_list()
        if None not in pool5_size and pool5_size != [7, 7]:
            raise ConfigError(f'VGG16VisualModulator needs 224x224 visual guides (fc6 covers a '
                              f'7x7 pool5 map), got {guide.shape[1]}x{guide.shape[2]}; set '
                              'size=224 in the VisualGuide steps of the data pipelines.')
        # fc6 covers the whole 7x7 pool5 map: fc6..fc8 are matrix products (Conv2D.dense)
        x = self.drop6(self.fc6.dense(x), training=training)
        x = self.drop7(self.fc7.dense(x), training=training)
        x = self.fc8.dense(x)
        x = tf.reshape(x, [tf.shape(x)[0], x.shape[-1]])
        return split_channels(x, self.layers), {}
