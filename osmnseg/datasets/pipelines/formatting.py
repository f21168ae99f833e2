"""Final transforms: normalisation, guide background masking and packing into the four
network inputs."""
import numpy as np

from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.datasets.pipelines.functional import (CAFFE_MEAN_BGR, NORMALIZE_MODES,
                                                   mask_background, normalize_image)
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import ConfigError

PACKED_KEYS = ('image', 'guide', 'spatial_guide', 'label')
# What each packable entry is: a frame, the square visual guide, a 0/1 mask or a float map.
PACKABLE_KEYS = {'image': 'frame', 'guide': 'guide', 'spatial_guide': 'map', 'label': 'mask',
                 'guide_image': 'frame', 'guide_mask': 'mask', 'prev_image': 'frame',
                 'prev_mask': 'mask'}


@TRANSFORMS.register_module()
class Normalize(BaseTransform):
    """Normalise the frame and the visual guide (spec §4.1, §4.2 step 6).

    Args:
        mean: subtracted per channel, in the output order (B, G, R when ``to_bgr``).
        scale: multiplied after the subtraction (the reference's ``--scale_value``).
        to_bgr: reverse RGB to BGR first (OSMN's VGG weights come from Caffe).
        mode: ``'mean_subtract'`` (above) or ``'rgb_unit'`` (RGB in [-1, 1], for TF-slim
            MobileNet ImageNet weights; ``mean``/``scale``/``to_bgr`` unused).
        keys: entries to normalise (``[..., 3] uint8`` -> ``float32``).
    """

    def __init__(self, mean=CAFFE_MEAN_BGR, scale=1.0, to_bgr=True, mode='mean_subtract',
                 keys=('image', 'guide')):
        if mode not in NORMALIZE_MODES:
            raise ConfigError(f"Normalize mode={mode!r} is unknown; use one of {NORMALIZE_MODES}.")
        self.mean = tuple(mean)
        self.scale = scale
        self.to_bgr = to_bgr
        self.mode = mode
        self.keys = tuple(keys)

    @property
    def normalization(self):
        return dict(mean=self.mean, scale=self.scale, to_bgr=self.to_bgr, mode=self.mode)

    @classmethod
    def inference_settings(cls, step):
        return {'normalize': {key: step[key] for key in ('mean', 'scale', 'to_bgr', 'mode')
                              if key in step}}

    def __call__(self, results):
        for key in self.keys:
            if key in results:
                results[key] = normalize_image(results[key], self.mean, self.scale,
                                               self.to_bgr, self.mode)
        return results


@TRANSFORMS.register_module()
class MaskGuideBackground(BaseTransform):
    """Set the normalised guide to 0 wherever the guide mask is 0 (spec §4.2 step 7). Leave
    this transform out of a pipeline for the reference's ``--bbox_sup`` (box supervision)."""

    def __init__(self, mask_key='guide_mask'):
        self.mask_key = mask_key

    @classmethod
    def inference_settings(cls, step):
        return {'mask_guide_background': True}

    def __call__(self, results):
        results['guide'] = mask_background(results['guide'], results[self.mask_key])
        return results


@TRANSFORMS.register_module()
class PackInputs(BaseTransform):
    """Reduce ``results`` to exactly the network inputs (docs/architecture.md), all
    ``float32``: the default ``image [H,W,3]``, ``guide [S,S,3]``, ``spatial_guide [H,W,1]``,
    ``label [H,W,1]`` (0/1, ``label > 0``); a matching model's pipeline packs
    ``image, label, guide_image, guide_mask, prev_image, prev_mask`` instead.

    Args:
        keys: the entries to pack, each one of :data:`PACKABLE_KEYS` (frames ``[H,W,3]``,
            guide ``[S,S,3]``, masks and maps ``[H,W,1]``, masks as 0/1). The training loader
            batches exactly these (:attr:`keys`).
    """

    def __init__(self, keys=PACKED_KEYS):
        unknown = [key for key in keys if key not in PACKABLE_KEYS]
        if unknown or 'image' not in keys:
            raise ConfigError(f'PackInputs keys={tuple(keys)!r}: {unknown or "image missing"}; '
                              f'pack "image" and any of {", ".join(PACKABLE_KEYS)}.')
        self.keys = tuple(keys)

    def __call__(self, results):
        image = np.asarray(results['image'], np.float32)
        packed = {}
        for key in self.keys:
            value = results[key]
            if PACKABLE_KEYS[key] == 'mask':
                value = (np.asarray(value) > 0).astype(np.float32)[..., None]
            elif PACKABLE_KEYS[key] == 'map':
                value = np.asarray(value, np.float32)[..., None]
            else:
                value = np.asarray(value, np.float32)
            if PACKABLE_KEYS[key] != 'guide' and value.shape[:2] != image.shape[:2]:
                raise ValueError(f'{key} is {value.shape[:2]} but image is {image.shape[:2]}: '
                                 'a Resize step is missing in the pipeline')
            packed[key] = value
        return packed


def packed_shapes(keys, batch, guide_size):
    """``{key: static batch shape}`` of the packed ``keys`` (``None`` = any size)."""
    channels = {'frame': 3, 'mask': 1, 'map': 1}
    return {key: ([batch, guide_size, guide_size, 3] if PACKABLE_KEYS[key] == 'guide' else
                  [batch, None, None, channels[PACKABLE_KEYS[key]]]) for key in keys}
