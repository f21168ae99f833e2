"""Data pipelines: TRANSFORMS configured as lists of dicts (mmseg style) and the pure numpy/PIL
helpers they are made of (``functional``), which inference reuses. Reading files and the mask
operations live in :mod:`osmnseg.io`."""
from osmnseg.datasets.pipelines.augment import (RandomColorJitter, RandomFlip, RandomScaleCrop,
                                               Resize)
from osmnseg.datasets.pipelines.compose import Compose, visual_guide_size
from osmnseg.datasets.pipelines.formatting import (PACKED_KEYS, MaskGuideBackground, Normalize,
                                                   PackInputs)
from osmnseg.datasets.pipelines.functional import (
    DEFAULT_DILATE_RADIUS, DEFAULT_GUIDE_SIZE, DEFAULT_MIN_STD, TEST_PAD_RATIO, crop_zero_fill,
    denormalize_image, gaussian_heatmap, make_masktrack_guide, make_spatial_guide,
    make_visual_guide, mask_background, mask_bbox, normalize_image, perturb_mask, resize_image,
    robust_gaussian_params, rotate_nearest)
from osmnseg.datasets.pipelines.guides import MaskTrackGuide, SpatialGuide, VisualGuide
from osmnseg.datasets.pipelines.loading import (LoadCocoMasks, LoadFrame, LoadGuideFrame,
                                                LoadObjectMask)

__all__ = [
    'Compose', 'PACKED_KEYS', 'LoadFrame', 'LoadGuideFrame', 'LoadObjectMask', 'LoadCocoMasks',
    'VisualGuide', 'visual_guide_size', 'DEFAULT_GUIDE_SIZE', 'TEST_PAD_RATIO', 'DEFAULT_MIN_STD',
    'DEFAULT_DILATE_RADIUS', 'SpatialGuide', 'MaskTrackGuide',
    'Resize', 'RandomFlip', 'RandomScaleCrop', 'RandomColorJitter', 'Normalize',
    'MaskGuideBackground', 'PackInputs', 'resize_image',
    'mask_bbox', 'crop_zero_fill', 'rotate_nearest', 'make_visual_guide',
    'robust_gaussian_params', 'gaussian_heatmap', 'make_spatial_guide',
    'perturb_mask', 'make_masktrack_guide', 'normalize_image',
    'denormalize_image', 'mask_background'
]
