"""The graphs' inputs, prepared from frames and masks as the TensorFlow path prepares them
(``osmnseg.apis.inference.inputs``), from the same numpy/PIL building blocks."""
import numpy as np

from osmnseg.datasets.pipelines.functional import (make_masktrack_guide, make_spatial_guide,
                                                   make_visual_guide, mask_background,
                                                   normalize_image, resize_image)


def frame_input(frame, settings):
    """``[1, H, W, 3] float32``: an ``[h, w, 3] uint8`` RGB frame resized (PIL bilinear) to the
    working size ``settings.size = (H, W)`` and normalised."""
    return normalize_image(resize_image(frame, settings.size), **settings.normalize)[None]


def guide_input(frame, mask, settings):
    """``[1, S, S, 3] float32`` visual guide of the object ``mask`` (``[h, w] uint8`` 0/1 at
    the frame's size): its box with the test padding, resized to ``settings.guide_size``,
    normalised, the background zeroed when the settings say so."""
    guide, guide_mask = make_visual_guide(frame, mask, rng=None, size=settings.guide_size,
                                          pad_ratio=settings.pad_ratio,
                                          keep_aspect_ratio=settings.keep_aspect_ratio)
    guide = normalize_image(guide, **settings.normalize)
    return (mask_background(guide, guide_mask) if settings.mask_guide_background else guide)[None]


def spatial_guides(masks, settings):
    """``[K, H, W, 1] float32`` spatial guides of K previous masks (``[H, W] uint8`` 0/1 at
    working size): Gaussians (spec §4.3) or, for MaskTrack models, the dilated 0/255 masks."""
    if settings.spatial_guide == 'masktrack':
        guides = [make_masktrack_guide(mask, rng=None, dilate_radius=settings.dilate_radius)
                  for mask in masks]
    else:
        guides = [make_spatial_guide(mask, rng=None, min_std=settings.min_std) for mask in masks]
    return np.stack(guides).astype(np.float32)[..., None]
