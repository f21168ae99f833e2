"""The runtime prepares frames and guides exactly as the TensorFlow path does
(``osmnseg.apis.inference.inputs``)."""
import dataclasses
import types

import numpy as np
import pytest

from osmnseg.apis import InferenceSettings
from osmnseg.apis.inference.inputs import frame_input as tf_frame_input
from osmnseg.apis.inference.inputs import spatial_guide_input, visual_guide_input
from osmnseg.runtime.inputs import frame_input, guide_input, spatial_guides


@pytest.mark.parametrize('settings', [
    InferenceSettings(size=(24, 40), normalize=dict(mode='rgb_unit')),
    InferenceSettings(size=(24, 40), spatial_guide='masktrack', guide_size=64, pad_ratio=0.1,
                      keep_aspect_ratio=True, mask_guide_background=False)])
def test_inputs_equal_the_tensorflow_paths(settings):
    loop = types.SimpleNamespace(**dataclasses.asdict(settings))
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)
    mask = np.zeros((30, 50), np.uint8)
    mask[5:20, 10:30] = 1
    np.testing.assert_array_equal(frame_input(frame, loop),
                                  tf_frame_input(frame, settings.size, settings))
    np.testing.assert_array_equal(guide_input(frame, mask, loop),
                                  visual_guide_input(frame, mask, settings))
    work_masks = [mask[:24, :40], np.zeros((24, 40), np.uint8)]
    np.testing.assert_array_equal(spatial_guides(work_masks, loop), np.stack(
        [spatial_guide_input(work_mask, settings) for work_mask in work_masks]))
