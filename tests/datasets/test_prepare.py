"""``prepare()`` runs the configs' TRANSFORMS pipelines on each reader's sample infos."""
import os

import numpy as np
import pytest

from osmnseg.config import Config
from osmnseg.datasets import DAVIS, CocoVOS, YouTubeObjects, YouTubeVOS

CONFIGS = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets')
# The training pipelines of the shipped configs.
VIDEO_PIPELINE = Config.fromfile(os.path.join(CONFIGS, 'davis2017.py')).train_pipeline
COCO_PIPELINE = Config.fromfile(os.path.join(CONFIGS, 'coco.py')).train_pipeline


def _check_sample(sample, size):
    assert set(sample) == {'image', 'guide', 'spatial_guide', 'label'}
    assert sample['image'].shape == (*size, 3) and sample['image'].dtype == np.float32
    assert sample['guide'].shape == (224, 224, 3)
    assert sample['spatial_guide'].shape == (*size, 1)
    assert sample['label'].shape == (*size, 1)
    assert set(np.unique(sample['label'])) <= {0.0, 1.0}
    assert sample['label'].any() and sample['spatial_guide'].max() > 0.5


@pytest.mark.parametrize('version', [2016, 2017])
def test_davis_prepare(davis_root, version):
    dataset = DAVIS(davis_root, version=version, split='train', pipeline=VIDEO_PIPELINE)
    for index in (0, len(dataset) - 1):
        _check_sample(dataset.prepare(index, np.random.default_rng(index), (16, 24)), (16, 24))


def test_prepare_is_a_function_of_the_rng(davis_root):
    dataset = DAVIS(davis_root, split='train', pipeline=VIDEO_PIPELINE)
    first = dataset.prepare(3, np.random.default_rng(7), (32, 48))
    again = dataset.prepare(3, np.random.default_rng(7), (32, 48))
    assert all(np.array_equal(first[key], again[key]) for key in first)
    assert 'rng' not in dataset.samples[3]  # prepare() works on a copy


def test_youtube_vos_prepare(ytvos_root):
    dataset = YouTubeVOS(ytvos_root, split='train', pipeline=VIDEO_PIPELINE)
    for index in range(len(dataset)):
        _check_sample(dataset.prepare(index, np.random.default_rng(index), (32, 48)), (32, 48))


def test_youtube_objects_prepare(youtube_objects_root):
    dataset = YouTubeObjects(youtube_objects_root, pipeline=VIDEO_PIPELINE, test_mode=False)
    _check_sample(dataset.prepare(0, np.random.default_rng(0), (32, 48)), (32, 48))


def test_coco_prepare(coco_root, tmp_path):
    dataset = CocoVOS(coco_root, pipeline=COCO_PIPELINE, cache_dir=str(tmp_path / 'cache'))
    for index in range(len(dataset)):
        _check_sample(dataset.prepare(index, np.random.default_rng(index), (40, 40)), (40, 40))
