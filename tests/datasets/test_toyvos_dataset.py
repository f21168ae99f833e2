"""ToyVOS through the DAVIS and COCO readers (a tiny generated set)."""
import os

import pytest

from osmnseg.datasets import ToyVOS, ToyVOSCoco, build_dataset

TINY = dict(seed=1, num_train=2, num_val=1, height=48, width=64, min_frames=3, max_frames=4)


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('toy') / 'toyvos')


def test_toyvos_generates_then_reads_the_davis_layout(toy_root):
    dataset = build_dataset(dict(type='ToyVOS', data_root=toy_root, generate=TINY,
                                 split='train', pipeline=[]))
    assert isinstance(dataset, ToyVOS)
    assert os.path.isfile(os.path.join(toy_root, 'manifest.json'))
    assert {s['sequence'] for s in dataset.samples} == {'toy_train_000', 'toy_train_001'}
    (sequence,) = ToyVOS(toy_root, generate=TINY, split='val', test_mode=True).sequences()
    assert sequence.name == 'toy_val_000' and sequence.original_size == (48, 64)
    assert sequence.object_ids and all(isinstance(i, int) for i in sequence.object_ids)
    assert {s['obj_id'] for s in ToyVOS(toy_root, generate=TINY, version=2016).samples} == {None}


def test_toyvos_coco_reads_the_instances_json(toy_root, tmp_path):
    dataset = ToyVOSCoco(toy_root, generate=TINY, split='train', min_area_ratio=0.0,
                         cache_dir=str(tmp_path))
    assert len(dataset) > 0
    assert all(os.path.isfile(s['image_path']) for s in dataset.samples)
    assert all(s['image_path'].startswith(os.path.join(toy_root, 'JPEGImages', '480p'))
               for s in dataset.samples)
