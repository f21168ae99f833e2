"""Data pipelines: TRANSFORMS configured as lists of dicts (mmseg style) and the pure numpy/PIL
helpers they are made of (``functional``), which inference reuses. Mask operations live in
:mod:`osmnseg.io.masks`."""
from osmnseg.datasets.pipelines.augment import RandomFlip, RandomScaleCrop, Resize
from osmnseg.datasets.pipelines.compose import Compose
from osmnseg.datasets.pipelines.formatting import (PACKED_KEYS, MaskGuideBackground, Normalize,
                                                   PackInputs)
from osmnseg.datasets.pipelines.functional import (
    coco_segmentation_to_mask, coco_segmentation_to_rle, crop_zero_fill, denormalize_image,
    gaussian_heatmap, make_masktrack_guide, make_spatial_guide, make_visual_guide,
    mask_background, mask_bbox, normalize_image, perturb_mask, read_image, resize_image,
    robust_gaussian_params, rotate_nearest)
from osmnseg.datasets.pipelines.guides import (DEFAULT_GUIDE_SIZE, MaskTrackGuide, SpatialGuide,
                                               VisualGuide, visual_guide_size)
from osmnseg.datasets.pipelines.loading import (LoadCocoMasks, LoadFrame, LoadGuideFrame,
                                                LoadObjectMask)

__all__ = [
    'Compose', 'PACKED_KEYS', 'LoadFrame', 'LoadGuideFrame', 'LoadObjectMask', 'LoadCocoMasks',
    'VisualGuide', 'visual_guide_size', 'DEFAULT_GUIDE_SIZE', 'SpatialGuide', 'MaskTrackGuide',
    'Resize', 'RandomFlip', 'RandomScaleCrop', 'Normalize',
    'MaskGuideBackground', 'PackInputs', 'read_image',
    'coco_segmentation_to_rle', 'coco_segmentation_to_mask', 'resize_image',
    'mask_bbox', 'crop_zero_fill', 'rotate_nearest', 'make_visual_guide',
    'robust_gaussian_params', 'gaussian_heatmap', 'make_spatial_guide',
    'perturb_mask', 'make_masktrack_guide', 'normalize_image',
    'denormalize_image', 'mask_background'
]
