"""COCO instance masks: a ``segmentation`` entry of a COCO annotation file as a binary mask
or as its area.

The rules are those of ``pycocotools.coco.COCO.annToRLE`` / ``annToMask``, without building a
``COCO`` index: polygons, uncompressed RLE (``counts`` a list) and compressed RLE (``counts`` a
string, as read from JSON, or bytes).
"""
import numpy as np
from pycocotools import mask as coco_mask


def coco_segmentation_to_rle(segmentation, height, width):
    """One compressed RLE of a COCO ``segmentation`` of a ``height`` x ``width`` image.

    Returns:
        a pycocotools RLE dict (``size``, ``counts`` as bytes).
    """
    if isinstance(segmentation, list):  # polygons: one RLE per part, merged
        return coco_mask.merge(coco_mask.frPyObjects(segmentation, height, width))
    if isinstance(segmentation.get('counts'), list):  # uncompressed RLE
        return coco_mask.frPyObjects(segmentation, height, width)
    rle = dict(segmentation)
    if isinstance(rle['counts'], str):  # compressed RLE as read from JSON
        rle['counts'] = rle['counts'].encode('ascii')
    return rle


def coco_segmentation_area(segmentation, height, width):
    """Pixel count of a COCO ``segmentation``: the object pixels of
    :func:`coco_segmentation_to_mask`, without rasterising it."""
    return int(coco_mask.area(coco_segmentation_to_rle(segmentation, height, width)))


def coco_segmentation_to_mask(segmentation, height, width):
    """Rasterise a COCO ``segmentation`` like ``COCO.annToMask``.

    Returns:
        ``[height, width] uint8`` with values 0/1.
    """
    return coco_mask.decode(coco_segmentation_to_rle(segmentation, height, width)).astype(np.uint8)
