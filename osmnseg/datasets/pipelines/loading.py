"""Transforms that read a sample's files: frames, palette/index masks and COCO masks."""
import numpy as np

from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.io.coco_masks import coco_segmentation_to_mask
from osmnseg.io.images import read_image
from osmnseg.io.masks import binarize_mask, resize_mask
from osmnseg.io.palette import load_index_png
from osmnseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadFrame(BaseTransform):
    """Read ``results[path_key]`` into ``results[out_key]``: ``[H, W, 3] uint8`` RGB (grey
    frames get three equal channels).

    Raises:
        DataError: the file is missing or corrupted (the message names it).
    """

    def __init__(self, path_key='image_path', out_key='image'):
        self.path_key = path_key
        self.out_key = out_key

    def __call__(self, results):
        results[self.out_key] = read_image(results[self.path_key])
        return results


@TRANSFORMS.register_module()
class LoadGuideFrame(LoadFrame):
    """``LoadFrame`` for the visual guide's reference frame: ``guide_image_path`` ->
    ``guide_image``."""

    def __init__(self, path_key='guide_image_path', out_key='guide_image'):
        super().__init__(path_key, out_key)


@TRANSFORMS.register_module()
class LoadObjectMask(BaseTransform):
    """Read a palette/index PNG and select the sample's object.

    ``results[out_key]`` becomes ``[H, W] uint8`` 0/1: ``index == results['obj_id']``, or
    ``index > 0`` when ``obj_id`` is ``None`` (0/255 binary masks, DAVIS 2016).

    Args:
        path_key: sample key of the PNG path (``label_path``, ``guide_label_path``,
            ``prev_label_path``).
        out_key: where the binary mask goes (``label``, ``guide_mask``, ``prev_mask``).
        frame_key: if given, the mask is resized with nearest neighbour to the size of
            ``results[frame_key]`` when they differ (e.g. 480p masks of full-resolution
            frames); masks that ``Resize`` brings to the working size leave it ``None``.

    Raises:
        DataError: the PNG is missing, unreadable or not an index image.
    """

    def __init__(self, path_key='label_path', out_key='label', frame_key=None):
        self.path_key = path_key
        self.out_key = out_key
        self.frame_key = frame_key

    def __call__(self, results):
        mask = binarize_mask(load_index_png(results[self.path_key]), results.get('obj_id'))
        if self.frame_key is not None:
            mask = resize_mask(mask, results[self.frame_key].shape[:2])
        results[self.out_key] = mask
        return results


@TRANSFORMS.register_module()
class LoadCocoMasks(BaseTransform):
    """Rasterise a COCO instance (``coco_segmentation``, ``img_height``, ``img_width``) with
    pycocotools and store the ``[H, W] uint8`` 0/1 mask under every key of ``out_keys``.

    A COCO sample's image is its own guide frame and its own "previous" frame (spec §6.1), so
    one mask serves as label, guide mask and spatial-guide source.
    """

    def __init__(self, out_keys=('label', 'guide_mask')):
        self.out_keys = tuple(out_keys)

    def __call__(self, results):
        mask = coco_segmentation_to_mask(results['coco_segmentation'], results['img_height'],
                                         results['img_width'])
        for key in self.out_keys:
            results[key] = np.array(mask)
        return results
