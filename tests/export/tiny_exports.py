"""Tiny models with random weights, their exports and TensorFlow's masks for them, shared by
tests/export, tests/runtime and tests/tools/test_export_tool.py.

* ``'osvos'``: the tiny VGG16 OSMN of the inference tests (visual + Gaussian spatial
  modulators, argmax merging; tests/apis/configs/tiny_toyvos.py);
* ``'match'``: the matching recipe's network at quarter width, soft merging
  (tests/export/configs/tiny_match_toyvos.py).

Both segment the tiny ToyVOS set of the inference tests (3 objects, 48x64 frames) at 32x64.
"""
import os
import sys

import numpy as np

from osmnseg.config import Config
from osmnseg.models import build_segmentor
from osmnseg.models.checkpoint import save_checkpoint

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS, 'apis'))
from segmenter_inputs import TINY_CONFIG, randomize  # noqa: E402  (shared with tests/apis)

CONFIGS = {'osvos': TINY_CONFIG,
           'match': os.path.join(TESTS, 'export', 'configs', 'tiny_match_toyvos.py')}


class TinyModel:
    """A config with its data roots in ``root`` and a work dir with a random checkpoint."""

    def __init__(self, kind, root, work_dir):
        self.config = CONFIGS[kind]
        self.options = [f'data.{split}.data_root={root}' for split in ('train', 'val', 'test')]
        self.cfg = Config.fromfile(self.config)
        self.cfg.merge_from_dict({f'data.{split}.data_root': root
                                  for split in ('train', 'val', 'test')})
        self.work_dir = work_dir
        model = build_segmentor(self.cfg.model)
        randomize(model)
        save_checkpoint(work_dir, 1, model)

    def load(self):
        """The model as ``tools/export.py`` and ``tools/test.py`` build it (float32)."""
        from osmnseg.apis import init_segmentor

        return init_segmentor(self.cfg, self.work_dir, dtype='float32')

    def export(self, out_dir, export_format, quantize=None, work_size=None):
        """Export into ``out_dir`` as ``tools/export.py`` does; returns the manifest."""
        from osmnseg.apis import InferenceSettings
        from osmnseg.datasets import build_dataset
        from osmnseg.export import export_model

        calibration = None
        if quantize == 'int8':
            train = dict(self.cfg.data.train, test_mode=True)
            calibration = build_dataset(train).sequences()
        os.makedirs(out_dir, exist_ok=True)
        return export_model(self.load(), InferenceSettings.from_config(self.cfg), out_dir,
                            export_format, quantize, work_size, calibration, 8)

    def sequence(self, index=0):
        """A ``VideoSequence`` of the tiny test set (generated on first use)."""
        from osmnseg.datasets import build_dataset

        return build_dataset(self.cfg.data.test).sequences()[index]

    def tensorflow_masks(self, frames, first_mask):
        """Index masks of TensorFlow's ``VideoSegmenter`` for frame files and frame 0's index
        mask."""
        from osmnseg.apis import InferenceSettings, VideoSegmenter

        segmenter = VideoSegmenter(self.load(), InferenceSettings.from_config(self.cfg))
        return [result.mask for result in segmenter.segment(frames, {0: first_mask})]


def mismatch(masks, expected):
    """Share of pixels whose id differs, over all frames."""
    return float(np.mean([np.mean(a != b) for a, b in zip(masks, expected)]))
