"""Transforms on the frame to segment: resize to the batch's working size and random flip."""
import numpy as np

from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.datasets.pipelines.functional import resize_image, resize_mask
from osmnseg.registry import TRANSFORMS


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
    """Flip the frame and its masks together, left-right, with probability ``prob`` -- only
    for samples whose ``flip_image`` is true (COCO; DAVIS frames are never flipped, quirk 15).

    Args:
        prob: flip probability.
        keys: entries flipped together (absent keys are skipped).
    """

    def __init__(self, prob=0.5, keys=('image', 'label', 'prev_mask')):
        self.prob = prob
        self.keys = tuple(keys)

    def __call__(self, results):
        if results.get('flip_image', False) and results['rng'].random() < self.prob:
            for key in self.keys:
                if key in results:
                    results[key] = np.ascontiguousarray(results[key][:, ::-1])
        return results
