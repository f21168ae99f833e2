"""COCO instance masks (osmnseg/io/coco_masks.py) against pycocotools' own COCO index."""
import json

import numpy as np
import pytest
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO

from osmnseg.io.coco_masks import coco_segmentation_area, coco_segmentation_to_mask

POLYGON = [[2.0, 1.0, 12.0, 1.0, 12.0, 9.0, 2.0, 9.0], [13.0, 2.0, 15.0, 2.0, 15.0, 6.0]]


def _coco_index(tmp_path, segmentations, height=12, width=16):
    """A pycocotools ``COCO`` of one image whose annotations are ``segmentations``."""
    data = dict(images=[dict(id=1, height=height, width=width, file_name='a.jpg')],
                annotations=[dict(id=i + 1, image_id=1, category_id=1, iscrowd=0,
                                  segmentation=segmentation)
                             for i, segmentation in enumerate(segmentations)],
                categories=[dict(id=1, name='thing')])
    path = tmp_path / 'instances.json'
    path.write_text(json.dumps(data))
    return COCO(str(path))


@pytest.mark.filterwarnings('ignore::DeprecationWarning')  # pycocotools decode on numpy 2
def test_polygons_and_rles_rasterise_as_ann_to_mask(tmp_path):
    polygon_mask = coco_segmentation_to_mask(POLYGON, 12, 16)
    compressed = coco_mask.encode(np.asfortranarray(polygon_mask))
    compressed['counts'] = compressed['counts'].decode('ascii')  # as JSON stores it
    uncompressed = dict(size=[12, 16], counts=[30, 5, 157])
    index = _coco_index(tmp_path, [POLYGON, compressed, uncompressed])
    for ann_id, segmentation in enumerate([POLYGON, compressed, uncompressed], start=1):
        expected = index.annToMask(index.anns[ann_id])
        mask = coco_segmentation_to_mask(segmentation, 12, 16)
        assert mask.dtype == np.uint8 and mask.shape == (12, 16)
        np.testing.assert_array_equal(mask, expected)
        assert coco_segmentation_area(segmentation, 12, 16) == int(expected.sum())
    assert 0 < polygon_mask.sum() < polygon_mask.size
