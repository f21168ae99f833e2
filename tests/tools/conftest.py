"""Fixture for the tool tests: a tiny work dir (the tiny config of tests/apis/configs with a
saved random-weight checkpoint)."""
import os
import sys

import pytest

from osmnseg.config import Config
from osmnseg.models import build_segmentor
from osmnseg.models.checkpoint import save_checkpoint

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'apis'))
from segmenter_inputs import TINY_CONFIG, randomize  # noqa: E402  (shared with tests/apis)


@pytest.fixture(scope='session')
def tiny_run(tmp_path_factory):
    """``(config path, work dir with a checkpoint, --cfg-options items)``; the options put the
    tiny ToyVOS set into a session folder."""
    root = str(tmp_path_factory.mktemp('toyvos'))
    options = [f'data.{split}.data_root={root}' for split in ('train', 'val', 'test')]
    work_dir = str(tmp_path_factory.mktemp('work_dir'))
    model = build_segmentor(Config.fromfile(TINY_CONFIG).model)
    randomize(model)
    save_checkpoint(work_dir, 1, model)
    return TINY_CONFIG, work_dir, options
