"""Transforms on the frame to segment: resize to the batch's working size, random flip,
random zoom crop and random brightness / contrast."""
import numpy as np

from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.datasets.pipelines.functional import color_jitter, resize_image
from osmnseg.io.masks import resize_mask
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import ConfigError


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Resize to the working size ``(H, W)``, ignoring the aspect ratio: images bilinear,
    masks nearest. Absent keys are skipped.

    Args:
        size: fixed working size (test pipelines); ``None`` uses ``results['out_size']``, drawn
            per batch by the training loader. A fixed size is also stored as ``out_size``.
        image_keys: ``[h, w, 3] uint8`` entries.
        mask_keys: ``[h, w] uint8`` entries.
    """

    def __init__(self, size=None, image_keys=('image',), mask_keys=('label', 'prev_mask')):
        self.size = None if size is None else tuple(size)
        self.image_keys = tuple(image_keys)
        self.mask_keys = tuple(mask_keys)

    @classmethod
    def inference_settings(cls, step):
        return {'size': tuple(step['size'])} if step.get('size') is not None else {}

    def __call__(self, results):
        if self.size is not None:
            results['out_size'] = self.size
        size = tuple(results['out_size'])
        for key in self.image_keys:
            if key in results:
                results[key] = resize_image(results[key], size)
        for key in self.mask_keys:
            if key in results:
                results[key] = resize_mask(results[key], size)
        return results


@TRANSFORMS.register_module()
class RandomFlip(BaseTransform):
    """Flip the frame and its masks together, left-right, with probability ``prob`` -- by
    default only for samples whose ``flip_image`` is true (COCO; the original never flips DAVIS
    frames, quirk 15).

    Args:
        prob: flip probability.
        keys: entries flipped together (absent keys are skipped).
        flagged_only: flip only samples whose ``flip_image`` is true; ``False`` flips any sample
            (frame, label and previous mask move together, so video pairs stay consistent).
    """

    def __init__(self, prob=0.5, keys=('image', 'label', 'prev_mask'), flagged_only=True):
        self.prob = prob
        self.keys = tuple(keys)
        self.flagged_only = flagged_only

    def __call__(self, results):
        allowed = results.get('flip_image', False) or not self.flagged_only
        if allowed and results['rng'].random() < self.prob:
            for key in self.keys:
                if key in results:
                    results[key] = np.ascontiguousarray(results[key][:, ::-1])
        return results


@TRANSFORMS.register_module()
class RandomScaleCrop(BaseTransform):
    """Crop a random box of the frame and its masks together (before ``Resize``): zoom and
    translation augmentation for video pairs, whose previous mask moves with the frame.

    The box keeps the frame's aspect ratio; its side is ``U(scale_range)`` times the frame's,
    and its position is uniform. With probability ``1 - prob`` the sample is left unchanged.

    Args:
        scale_range: ``(min, max)`` side ratio of the box, ``0 < min <= max <= 1``.
        prob: probability of cropping.
        keys: ``[h, w, ...]`` entries of the same size, cropped together.
    """

    def __init__(self, scale_range=(0.7, 1.0), prob=0.5, keys=('image', 'label', 'prev_mask')):
        low, high = (float(v) for v in scale_range)
        if not 0 < low <= high <= 1:
            raise ConfigError(f'RandomScaleCrop scale_range must satisfy 0 < min <= max <= 1, '
                              f'got {scale_range!r}; fix the pipeline step.')
        self.scale_range = (low, high)
        self.prob = prob
        self.keys = tuple(keys)

    def __call__(self, results):
        rng = results['rng']
        if rng.random() >= self.prob:
            return results
        height, width = results[self.keys[0]].shape[:2]
        ratio = rng.uniform(*self.scale_range)
        box_h, box_w = max(int(round(height * ratio)), 1), max(int(round(width * ratio)), 1)
        top = int(rng.integers(height - box_h + 1))
        left = int(rng.integers(width - box_w + 1))
        for key in self.keys:
            if key in results:
                results[key] = np.ascontiguousarray(
                    results[key][top:top + box_h, left:left + box_w])
        return results


@TRANSFORMS.register_module()
class RandomColorJitter(BaseTransform):
    """Scale the brightness, then the contrast, of images by random factors (PIL's
    ``ImageEnhance``), the same factors for every key: an appearance change between the frames
    named here and the others (e.g. the frame and its previous frame against the annotated
    frame, as lighting and smoke change a video).

    Args:
        keys: ``[H, W, 3] uint8`` entries, jittered together.
        factor_range: ``(min, max)`` of both factors, ``0 < min <= max``.
        prob: probability of jittering.
    """

    def __init__(self, keys=('image', 'prev_image'), factor_range=(0.7, 1.4), prob=0.8):
        low, high = (float(v) for v in factor_range)
        if not 0 < low <= high:
            raise ConfigError(f'RandomColorJitter factor_range must satisfy 0 < min <= max, got '
                              f'{factor_range!r}; fix the pipeline step.')
        self.keys, self.factor_range, self.prob = tuple(keys), (low, high), prob

    def __call__(self, results):
        rng = results['rng']
        if rng.random() >= self.prob:
            return results
        brightness, contrast = rng.uniform(*self.factor_range, 2)
        for key in self.keys:
            if key in results:
                results[key] = color_jitter(results[key], brightness, contrast)
        return results
