"""Spatial modulator of the VGG variants (spec §3.3 osvos, §3.5 deeplab)."""
import itertools

from osmnseg.models.layers import Conv2D, ConvBN, Modulation, avg_pool
from osmnseg.models.modulators.base import Modulator, guide_shifts, split_channels
from osmnseg.registry import MODULATORS
from osmnseg.utils.errors import BuildError


@MODULATORS.register_module()
class GaussianSpatialModulator(Modulator):
    """Spatial guide -> per-pixel shifts, one 1x1 conv + BN + ReLU per block of modulated layers.

    Layers are grouped by block (``conv3_1..conv3_3`` -> block ``conv3``). Block ``conv{b}`` has
    one bias-free 1x1 conv (scope ``conv{b}``, BN decay 0.99, eps 1e-3) whose output channels are
    the block's layers' channels concatenated (``conv3``: 768 = 3x256), read from the guide
    average-pooled (2x2, stride 2, SAME) down to the block's stride, and sliced consecutively
    over the block's layers. The pooling layout therefore follows the backbone: osvos strides
    4/8/16 give pool2 -> conv3, pool3 -> conv4, pool4 -> conv5; deeplab's dilated block 5 keeps
    stride 8, so conv4 and conv5 both read pool3 (§3.5). ``mod_early_conv`` adds blocks conv1
    (raw guide) and conv2 (pool1). Scope ``modulator_sp``; always trainable; kernels L2-regularised.

    Args:
        layers: the layers to modulate (passed by the segmentor).
        momentum, epsilon: batch-norm parameters.
        scope: name scope.

    Call: ``guide [B,H,W,1]`` in [0,1] (compute dtype) -> ``({}, {layer: [B,h,w,C]})``;
    ``training`` is the BN mode (the segmentor passes ``training and not fix_bn``).
    """

    def __init__(self, layers, momentum=0.99, epsilon=1e-3, scope='modulator_sp'):
        super().__init__(layers, scope)
        self.blocks, self.block_layers = {}, {}
        for block, members in itertools.groupby(self.layers, key=lambda l: l.name.split('_')[0]):
            members = tuple(members)
            strides = {m.stride for m in members}
            stride = strides.pop()
            if strides or stride & (stride - 1):
                raise BuildError(f"spatial modulator: layers of block '{block}' must share one "
                                 f"power-of-two stride, got {[m.stride for m in members]}.")
            channels = sum(m.channels for m in members)
            conv = Conv2D('', 1, channels, 1, use_bias=False)
            self.blocks[block] = ConvBN(block, conv, channels, momentum, epsilon)
            self.block_layers[block] = members

    def __call__(self, guide, training=False):
        shifts = {}
        for block, pooled in self._pooled_guides(guide):
            shifts.update(split_channels(self.blocks[block](pooled, training=training),
                                         self.block_layers[block]))
        return {}, shifts

    def inference_modulation(self, guide, compute_dtype):
        """Inference shifts as :class:`~osmnseg.models.layers.GuideShift` (equal maps), from the
        float32 guide (the fused kernel computes in float32 whatever ``compute_dtype``)."""
        shifts = {}
        for block, pooled in self._pooled_guides(guide):
            shifts.update(guide_shifts(self.blocks[block], pooled, self.block_layers[block]))
        return Modulation({}, shifts)

    def _pooled_guides(self, guide):
        """``(block, guide pooled to the block's stride)`` in block order."""
        x, stride = guide, 1
        for block, layers in self.block_layers.items():
            while stride < layers[0].stride:
                x = avg_pool(x, 2, 2)
                stride *= 2
            yield block, x
