"""The network inputs of one test-time step: the TensorFlow inference core
(``osmnseg.apis.inference.core``) and the TensorFlow-free runtime of exported graphs
(``osmnseg.runtime``) both call these guide builders (numpy + PIL only), and the runtime calls
:func:`frame_input`, the numpy twin of the core's compiled ``FrameTensor`` (same sampling,
same normalisation).

Each function takes the settings that say how (working size, normalisation, guide kind and
parameters): an :class:`~osmnseg.apis.inference.settings.InferenceSettings` or any object with
the same attributes (the runtime's manifest settings); nothing here is random.
"""
import numpy as np

from osmnseg.datasets.pipelines.functional import (make_masktrack_guide, make_spatial_guide,
                                                   make_visual_guide, mask_background,
                                                   normalize_image, resize_image)


def frame_input(frame, work_size, settings):
    """``[1, h, w, 3] float32`` network input of an ``[H, W, 3] uint8`` RGB frame resized to
    ``work_size = (h, w)`` (bilinear samples at pixel centres, as the TensorFlow core's
    ``FrameTensor``) and normalised."""
    return normalize_image(resize_image(frame, work_size, sampled=True),
                           **settings.normalize)[None]


def visual_guide_input(frame, mask, settings):
    """``[1, S, S, 3] float32`` visual guide: the object ``mask`` (``[H, W] uint8`` 0/1,
    the frame's size) cropped from ``frame`` with the test padding, normalised, its
    background zeroed when the settings say so."""
    guide, guide_mask = make_visual_guide(frame, mask, rng=None, size=settings.guide_size,
                                          pad_ratio=settings.pad_ratio,
                                          keep_aspect_ratio=settings.keep_aspect_ratio)
    guide = normalize_image(guide, **settings.normalize)
    if settings.mask_guide_background:
        guide = mask_background(guide, guide_mask)
    return guide[None]


def spatial_guide_input(previous_mask, settings):
    """``[h, w, 1] float32`` spatial guide from a ``[h, w] uint8`` 0/1 mask at working size:
    a Gaussian (spec §4.3) or the dilated mask (MaskTrack, §4.4)."""
    if settings.spatial_guide == 'masktrack':
        guide = make_masktrack_guide(previous_mask, rng=None, dilate_radius=settings.dilate_radius)
    else:
        guide = make_spatial_guide(previous_mask, rng=None, min_std=settings.min_std)
    return np.asarray(guide)[..., None]


def spatial_guide_inputs(previous_masks, settings):
    """``[K, h, w, 1]`` spatial guides (:func:`spatial_guide_input`) of K ``[h, w] uint8`` 0/1
    masks at working size, stacked."""
    return np.stack([spatial_guide_input(mask, settings) for mask in previous_masks])
