"""COCO reader: filtering (spec §6.1) and the filtered-index cache."""
import json
import os

import pytest
from pycocotools.coco import COCO

from osmnseg.datasets import CocoVOS, coco


@pytest.fixture
def cache_dir(tmp_path):
    return str(tmp_path / 'cache')


def test_filter_keeps_polygon_and_rle_instances(coco_root, cache_dir):
    dataset = CocoVOS(coco_root, split='train', pipeline=[], cache_dir=cache_dir)
    # 4 (crowd) and 5 (0.3 px, below 3% of the image) are dropped.
    assert [s['frame'] for s in dataset.samples] == ['1', '2', '3']
    sample = dataset.samples[2]
    assert sample['image_path'] == os.path.join(coco_root, 'train2017', '000000000002.jpg')
    assert sample['guide_image_path'] == sample['image_path']
    assert (sample['img_height'], sample['img_width']) == (32, 48)
    assert sample['flip_image'] is True and sample['obj_id'] is None
    assert isinstance(sample['coco_segmentation']['counts'], list)
    assert 'label_path' not in sample


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pycocotools decode on numpy 2
def test_area_matches_ann_to_mask(coco_root, cache_dir):
    """The kept set equals OSMN's rule: annToMask(ann).sum() / image area > ratio."""
    ann_file = os.path.join(coco_root, 'annotations', 'instances_train2017.json')
    api = COCO(ann_file)
    for ratio in (0.03, 0.05, 0.1):
        expected = [ann['id'] for ann in api.dataset['annotations'] if not ann['iscrowd'] and
                    api.annToMask(ann).sum() / (32 * 48) > ratio]
        kept = [entry['id'] for entry in coco.filter_instances(ann_file, ratio)]
        assert kept == expected
    assert len(coco.filter_instances(ann_file, 0.05)) == 2


def test_cache_is_reused_and_invalidated_by_mtime(coco_root, cache_dir, monkeypatch):
    first = CocoVOS(coco_root, cache_dir=cache_dir)
    assert os.listdir(cache_dir) == [os.path.basename(first.cache_file)]
    assert not os.path.exists(os.path.join(coco_root, '.osmnseg_cache'))

    def fail(*args):
        raise AssertionError('the index was rebuilt although the cache is valid')

    monkeypatch.setattr(coco, 'filter_instances', fail)
    assert CocoVOS(coco_root, cache_dir=cache_dir).samples == first.samples

    calls = []
    monkeypatch.setattr(coco, 'filter_instances', lambda *args: calls.append(args) or [
        dict(id=9, file_name='000000000001.jpg', height=32, width=48, segmentation=[])])
    ann_file = first.ann_file
    stat = os.stat(ann_file)
    os.utime(ann_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    rebuilt = CocoVOS(coco_root, cache_dir=cache_dir)
    assert len(calls) == 1 and [s['frame'] for s in rebuilt.samples] == ['9']
    with open(first.cache_file) as file:
        assert json.load(file)['key']['mtime_ns'] == stat.st_mtime_ns + 10**9


def test_corrupt_cache_is_rebuilt(coco_root, cache_dir):
    first = CocoVOS(coco_root, cache_dir=cache_dir)
    with open(first.cache_file, 'w') as file:
        file.write('{not json')
    assert CocoVOS(coco_root, cache_dir=cache_dir).samples == first.samples


def test_relative_ann_file_and_img_prefix(coco_root, cache_dir):
    os.rename(os.path.join(coco_root, 'train2017'), os.path.join(coco_root, 'images'))
    dataset = CocoVOS(coco_root, ann_file='annotations/instances_train2017.json',
                      img_prefix='images', min_area_ratio=0.05, cache_dir=cache_dir)
    assert len(dataset) == 2
    assert dataset.samples[0]['image_path'] == os.path.join(coco_root, 'images',
                                                            '000000000001.jpg')
