"""Visual modulator of the lite variant (spec §3.7): MobileNet v1 -> one scale vector per layer."""
import tensorflow as tf

from osmnseg.models.backbones.base import scale_channels
from osmnseg.models.backbones.mobilenet_v1 import MobileNetV1
from osmnseg.models.layers import Conv2D, initializers
from osmnseg.models.modulators.base import Modulator
from osmnseg.registry import MODULATORS


@MODULATORS.register_module()
class MobileNetVisualModulator(Modulator):
    """MobileNet v1 body -> global average pool -> ``Logits/Conv2d_1c_1x1`` (2048, linear) ->
    ReLU -> one 1x1 head ``Conv2d_out_<k>`` per modulated layer (k = 1..4 for layers 3/5/11/13).

    The original pools 7x7 VALID, which is the global average of the 7x7 map a 224x224 guide
    gives; the global average equals it there and also accepts other guide sizes (e.g. 112x112
    guides for cheap training on small objects: ``VisualGuide(size=...)`` sets the size).

    ``Conv2d_1c_1x1`` and the heads have zero kernels and unit biases, so every scale is exactly 1
    after initialisation. Names: body and logits under ``modulator/``, heads directly under
    ``osmn/`` (scope ''). Kernels L2-regularised (λ of the model, 4e-5 for lite), depthwise ones
    not.

    Args:
        layers: the layers to modulate (passed by the segmentor).
        depth_multiplier: MobileNet channel multiplier (1.0 as the original).
        width: toolkit-wide width knob; multiplies ``depth_multiplier``.
        hidden_channels: output channels of ``Conv2d_1c_1x1`` at multiplier 1 (2048).
        hidden_init_std: ``None`` (the original): ``Conv2d_1c_1x1`` starts with a zero kernel,
            so all its channels stay identical during training (their gradients are equal) and
            the modulator acts through a single hidden unit — harmless with ImageNet weights,
            crippling from scratch. A float draws that kernel from a truncated normal with this
            std instead, which breaks the symmetry; the heads still start at zero, so every
            scale is still exactly 1 after initialisation.
        momentum: batch-norm moving-average decay of the MobileNet body (0.997 as the original;
            short runs need less, or the inference statistics lag behind the weights).
        frozen_stages, norm_eval: as :class:`MobileNetV1`, for the modulator's body (keep the
            ImageNet statistics when fine-tuning from ImageNet with small batches).

    Call: ``guide [B,S,S,3]`` (S = 224 as the original) -> ``({layer: [B,C]}, {})``;
    ``training`` is the BN mode of the MobileNet body (not affected by ``fix_bn``, as the
    original).
    """

    # init_cfg's ImageNet weights (``MobilenetV1/*``) go to the body under ``modulator/``.
    pretrained_scope = 'modulator'

    def __init__(self, layers, depth_multiplier=1.0, width=1.0, hidden_channels=2048,
                 hidden_init_std=None, momentum=0.997, frozen_stages=-1, norm_eval=False):
        super().__init__(layers, scope='')
        self.body = MobileNetV1(depth_multiplier=depth_multiplier, width=width,
                                modulated_layers=(), momentum=momentum,
                                frozen_stages=frozen_stages, norm_eval=norm_eval,
                                scope='modulator')
        hidden = scale_channels(hidden_channels, depth_multiplier * width)
        self.logits = Conv2D('modulator/Logits/Conv2d_1c_1x1',
                             self.body.channels['Conv2d_13_pointwise'], hidden, 1,
                             kernel_init=initializers.zeros if hidden_init_std is None
                             else initializers.truncated_normal(hidden_init_std),
                             bias_init=initializers.ones)
        self.heads = [Conv2D(f'Conv2d_out_{k}', hidden, layer.channels, 1,
                             kernel_init=initializers.zeros, bias_init=initializers.ones)
                      for k, layer in enumerate(self.layers, start=1)]

    def __call__(self, guide, training=False):
        x, _ = self.body(guide, training=training)
        x = tf.reduce_mean(x, axis=(1, 2), keepdims=True)
        x = tf.nn.relu(self.logits(x))
        return {layer.name: tf.reshape(head(x), [tf.shape(x)[0], layer.channels])
                for layer, head in zip(self.layers, self.heads)}, {}
