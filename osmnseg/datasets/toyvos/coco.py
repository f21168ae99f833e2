"""COCO instances of the ToyVOS masks: uncompressed RLE, tight boxes, one category a shape."""
import numpy as np

from osmnseg.datasets.toyvos.shapes import SHAPES


def _rle_counts(mask):
    """Uncompressed COCO RLE counts of a binary ``[H, W]`` mask (column-major, zeros first)."""
    flat = mask.ravel(order='F').astype(np.int8)
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    counts = np.diff(bounds).tolist()
    return [0] + counts if flat.size and flat[0] else counts


def coco_annotation(mask, ann_id, image_id, category_id, object_id):
    """COCO instance dict of a non-empty binary ``[H, W]`` mask (RLE segmentation, tight bbox)."""
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return dict(id=ann_id, image_id=image_id, category_id=category_id, iscrowd=0,
                area=int(mask.sum()), object_id=object_id,
                bbox=[x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1],
                segmentation=dict(size=list(mask.shape), counts=_rle_counts(mask)))


def coco_categories():
    return [dict(id=i + 1, name=kind, supercategory='toy') for i, kind in enumerate(SHAPES)]
