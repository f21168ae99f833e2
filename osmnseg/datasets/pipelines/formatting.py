"""Final transforms: normalisation, guide background masking and packing into the four
network inputs."""
import numpy as np

from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.datasets.pipelines.functional import (CAFFE_MEAN_BGR, NORMALIZE_MODES,
                                                   mask_background, normalize_image)
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import ConfigError

PACKED_KEYS = ('image', 'guide', 'spatial_guide', 'label')


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
    """Reduce ``results`` to exactly the network inputs (docs/architecture.md):
    ``image [H,W,3]``, ``guide [S,S,3]``, ``spatial_guide [H,W,1]``, ``label [H,W,1]`` (0/1,
    ``label > 0``), all ``float32``."""

    def __call__(self, results):
        image = np.asarray(results['image'], np.float32)
        packed = dict(
            image=image,
            guide=np.asarray(results['guide'], np.float32),
            spatial_guide=np.asarray(results['spatial_guide'], np.float32)[..., None],
            label=(np.asarray(results['label']) > 0).astype(np.float32)[..., None])
        for key in ('spatial_guide', 'label'):
            if packed[key].shape[:2] != image.shape[:2]:
                raise ValueError(f'{key} is {packed[key].shape[:2]} but image is '
                                 f'{image.shape[:2]}: a Resize step is missing in the pipeline')
        return packed
