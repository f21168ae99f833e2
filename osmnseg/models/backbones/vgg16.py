"""VGG16 backbone in the OSVOS, DeepLab-v2 and MaskTrack layouts (spec §3.4–3.6, §3.1)."""
import functools

from osmnseg.models.backbones.base import Backbone, Step, scale_channels
from osmnseg.models.layers import Conv2D, max_pool
from osmnseg.registry import BACKBONES
from osmnseg.utils.errors import BuildError

BLOCK_CHANNELS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))

# Per layout: (size, stride) of pool1..pool5 (None = no pool), conv5 dilation, input channels.
LAYOUTS = {
    'osvos': dict(pools=((2, 2), (2, 2), (2, 2), (2, 2), None), conv5_dilation=1,
                  in_channels=3),
    'deeplab': dict(pools=((2, 2), (2, 2), (2, 2), (2, 1), (3, 1)), conv5_dilation=2,
                    in_channels=3),
    'masktrack': dict(pools=((3, 2), (3, 2), (3, 2), (3, 1), (3, 1)), conv5_dilation=2,
                      in_channels=4),
    # the ImageNet classifier body, used inside the visual modulator (followed by fc6..fc8)
    'classifier': dict(pools=((2, 2),) * 5, conv5_dilation=1, in_channels=3),
}


@BACKBONES.register_module()
class VGG16(Backbone):
    """VGG16 conv1_1..conv5_3 (3x3 SAME convs + ReLU) with configurable pools and conv5 dilation.

    Steps (names = original layer names): ``conv{b}_{i}`` (modulatable; scope
    ``conv{b}/conv{b}_{i}``) and ``pool{b}`` (SAME max pools). ``conv1_x`` and ``conv2_x`` are the
    ``early_layers`` (modulated only with ``mod_early_conv``).

    Args:
        layout: ``'osvos'`` (pools 1-4 2x2/2, no pool5), ``'deeplab'`` (pool4 2x2/1, conv5
            dilation 2, pool5 3x3/1: output stride 8), ``'masktrack'`` (3x3 pools, 4 input
            channels) or ``'classifier'`` (5 pools 2x2/2); the options below override it.
        pools: 5 entries ``(size, stride)`` or ``None`` for pool1..pool5.
        conv5_dilation: dilation rate of conv5_1..conv5_3.
        in_channels: channels of the input (3 = BGR image; 4 = mask + image for MaskTrack).
        width: multiplier of every channel count (1.0 = VGG16; e.g. 0.125 for cheap tests).
        parallel_convs: run each conv of at least ``parallel_min_channels`` output channels as
            this many convs over output-channel slices (``Conv2D``'s ``parallel``; a speed
            setting, the same function).
        parallel_min_channels: the smallest conv that ``parallel_convs`` splits.
        trainable: whether the convs are trained (the segmentor passes its ``train_seg``).
        scope: name scope (``'seg'`` in the segmentation net).

    Call (see :class:`Backbone`): input ``[B,H,W,in_channels]`` in the compute dtype.
    """

    early_layers = ('conv1_1', 'conv1_2', 'conv2_1', 'conv2_2')

    def __init__(self, layout='osvos', pools=None, conv5_dilation=None, in_channels=None,
                 width=1.0, parallel_convs=1, parallel_min_channels=256, trainable=True,
                 scope='seg'):
        super().__init__(scope)
        if layout not in LAYOUTS:
            raise BuildError(f"backbone layout '{layout}' is unknown; use one of "
                             f"{sorted(LAYOUTS)} or give pools/conv5_dilation/in_channels.")
        preset = LAYOUTS[layout]
        self.pools = tuple(preset['pools'] if pools is None else
                           (None if p is None else tuple(p) for p in pools))
        if len(self.pools) != 5:
            raise BuildError(f'backbone pools must list 5 entries (pool1..pool5), got {pools!r}.')
        self.conv5_dilation = preset['conv5_dilation'] if conv5_dilation is None else conv5_dilation
        self.in_channels = preset['in_channels'] if in_channels is None else in_channels
        self.convs = {}
        channels = self.in_channels
        for b, block in enumerate(BLOCK_CHANNELS, start=1):
            for i, out in enumerate(block, start=1):
                out = scale_channels(out, width)
                self.convs[f'conv{b}_{i}'] = Conv2D(
                    f'conv{b}/conv{b}_{i}', channels, out, 3,
                    dilation=self.conv5_dilation if b == 5 else 1, activation='relu',
                    trainable=trainable,
                    parallel=parallel_convs if out >= parallel_min_channels else 1)
                channels = out

    def steps(self):
        steps, stride = [], 1
        for b, block in enumerate(BLOCK_CHANNELS, start=1):
            for i in range(1, len(block) + 1):
                conv = self.convs[f'conv{b}_{i}']
                steps.append(Step(f'conv{b}_{i}', lambda x, training, conv=conv: conv(x),
                                  int(conv.kernel.shape[-1]), stride, True))
            if self.pools[b - 1] is not None:
                size, pool_stride = self.pools[b - 1]
                stride *= pool_stride
                pool = functools.partial(max_pool, size=size, stride=pool_stride)
                steps.append(Step(f'pool{b}', lambda x, training, pool=pool: pool(x),
                                  steps[-1].channels, stride, False))
        return steps
