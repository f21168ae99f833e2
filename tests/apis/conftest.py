"""Fixtures: a tiny ToyVOS set, the tiny config (tests/apis/configs/tiny_toyvos.py) and a
float32 model at 1/8 width with random weights, shared by the whole session."""
import pytest

from osmnseg.apis import InferenceSettings, VideoSegmenter, init_segmentor
from osmnseg.config import Config
from osmnseg.datasets import build_dataset

from segmenter_inputs import TINY_CONFIG, randomize


@pytest.fixture(scope='session')
def toy_cfg(tmp_path_factory):
    """The tiny config with every data root in a session folder (the set is generated there)."""
    cfg = Config.fromfile(TINY_CONFIG)
    root = str(tmp_path_factory.mktemp('toyvos'))
    cfg.merge_from_dict({f'data.{split}.data_root': root for split in ('train', 'val', 'test')})
    return cfg


@pytest.fixture(scope='session')
def toy_dataset(toy_cfg):
    return build_dataset(toy_cfg.data.test)


@pytest.fixture(scope='session')
def model(toy_cfg):
    model = init_segmentor(toy_cfg, dtype='float32')
    randomize(model)
    return model


@pytest.fixture(scope='session')
def segmenter(model, toy_cfg):
    return VideoSegmenter(model, InferenceSettings.from_config(toy_cfg))
