"""InferenceSettings come from the test pipeline's transforms themselves, whatever their name,
and their defaults are the test-mode steps' own."""
import glob
import os

import numpy as np
import pytest

from osmnseg.apis import InferenceSettings
from osmnseg.datasets.pipelines.inference_inputs import spatial_guide_input, visual_guide_input
from osmnseg.config import Config
from osmnseg.datasets.pipelines import (Compose, MaskTrackGuide, VisualGuide,
                                        make_visual_guide)
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import ConfigError, RegistryError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = sorted(glob.glob(os.path.join(REPO, 'configs', '*.py')))


class RenamedVisualGuide(VisualGuide):
    pass


class RenamedMaskTrackGuide(MaskTrackGuide):
    pass


@pytest.fixture()
def renamed_transforms():
    names = {'RenamedVisualGuideForTest': RenamedVisualGuide,
             'RenamedMaskTrackGuideForTest': RenamedMaskTrackGuide}
    for name, cls in names.items():
        TRANSFORMS.register_module(name=name, module=cls)
    yield
    for name in names:
        del TRANSFORMS._modules[name]


def with_test_pipeline(cfg, pipeline):
    cfg = cfg.deepcopy()
    cfg.test_cfg = {}
    cfg.data.test.pipeline = pipeline
    return cfg


def test_a_renamed_guide_transform_still_sets_its_settings(toy_cfg, renamed_transforms):
    cfg = with_test_pipeline(toy_cfg, [
        dict(type='RenamedVisualGuideForTest', size=96, pad_ratio=0.1, test_mode=True),
        dict(type='RenamedMaskTrackGuideForTest', dilate_radius=3, test_mode=True)])
    settings = InferenceSettings.from_config(cfg)
    assert (settings.guide_size, settings.pad_ratio) == (96, 0.1)
    assert (settings.spatial_guide, settings.dilate_radius) == ('masktrack', 3)
    assert not settings.mask_guide_background  # the pipeline does not zero it


def test_an_unknown_transform_is_an_error_not_a_silent_default(toy_cfg):
    cfg = with_test_pipeline(toy_cfg, [dict(type='VisualGuid', size=96)])
    with pytest.raises(RegistryError, match="Did you mean 'VisualGuide'"):
        InferenceSettings.from_config(cfg)


def _frame_and_masks():
    """A random ``[90, 120, 3]`` frame, a 50x70 object (3 % padding adds 1 and 2 pixels) and a
    3x3 previous mask (its spread is below the minimum std)."""
    frame = np.random.default_rng(0).integers(0, 255, (90, 120, 3), dtype=np.uint8)
    mask, previous = np.zeros((90, 120), np.uint8), np.zeros((90, 120), np.uint8)
    mask[20:70, 30:100] = 1
    previous[40:43, 60:63] = 1
    return frame, mask, previous


def test_default_settings_prepare_the_inputs_as_the_test_mode_steps():
    frame, mask, previous = _frame_and_masks()
    steps = Compose([dict(type='VisualGuide', test_mode=True), dict(type='Normalize'),
                     dict(type='MaskGuideBackground'), dict(type='SpatialGuide', test_mode=True)])
    results = steps(dict(guide_image=frame, guide_mask=mask, prev_mask=previous,
                         out_size=(90, 120)))
    settings = InferenceSettings(mask_guide_background=True)
    np.testing.assert_array_equal(visual_guide_input(frame, mask, settings)[0], results['guide'])
    np.testing.assert_array_equal(spatial_guide_input(previous, settings)[..., 0],
                                  results['spatial_guide'])
    masktrack = TRANSFORMS.build(dict(type='MaskTrackGuide', test_mode=True))(
        dict(prev_mask=previous, out_size=(90, 120)))['spatial_guide']
    np.testing.assert_array_equal(
        spatial_guide_input(previous, InferenceSettings(spatial_guide='masktrack'))[..., 0],
        masktrack)


@pytest.mark.parametrize('path', CONFIGS, ids=os.path.basename)
def test_each_config_crops_the_test_guide_as_its_test_pipeline(path):
    cfg = Config.fromfile(path)
    settings = InferenceSettings.from_config(cfg)
    assert settings.pad_ratio == 0.03  # every recipe tests with the spec's padding
    frame, mask, _ = _frame_and_masks()
    guide_steps = [step for step in Compose(cfg.data.test.pipeline).transforms
                   if step.guide_size is not None]
    if not guide_steps:  # a matching model reads the annotated frame itself, no crop
        assert cfg.model.visual_modulator is None
        return
    assert len(guide_steps) == 1
    expected = guide_steps[0](dict(image=frame, guide_image=frame, guide_mask=mask))['guide']
    guide, _ = make_visual_guide(frame, mask, size=settings.guide_size,
                                 pad_ratio=settings.pad_ratio,
                                 keep_aspect_ratio=settings.keep_aspect_ratio)
    np.testing.assert_array_equal(guide, expected)


class _Device:
    def __init__(self, fast_bf16):
        self.fast_bf16 = fast_bf16

    def default_precision(self, mode):
        return 'float32'


def test_inference_precision_follows_the_config_and_the_cpu():
    from osmnseg.apis.inference.model import inference_precision
    from osmnseg.config import Config
    from osmnseg.utils.errors import ConfigError

    def dtype(value, fast):
        return inference_precision(Config(dict(inference_dtype=value)), _Device(fast))[0]

    assert dtype(None, True) == 'float32'  # the device's default
    assert dtype('fast_bf16', True) == 'bfloat16'
    assert dtype('fast_bf16', False) == 'float32'  # emulated bf16 would be slower
    assert dtype('float16', False) == 'float16'
    with pytest.raises(ConfigError, match="inference_dtype='bf16'"):
        dtype('bf16', True)


def test_size_divisor_rounds_the_working_size_to_the_networks_stride():
    clip = InferenceSettings(max_size=672, size_divisor=32)
    assert clip.working_size((1080, 1920)) == (384, 672)  # 378x672 before rounding
    assert clip.working_size((480, 854)) == (384, 672)
    assert clip.working_size((100, 10)) == (96, 32)  # the nearest multiple, one at least
    assert InferenceSettings(size_divisor=32).working_size((480, 854)) == (480, 864)
    assert InferenceSettings(size=(100, 200), size_divisor=8).working_size((1, 1)) == (104, 200)
    assert InferenceSettings(max_size=672).working_size((1080, 1920)) == (378, 672)


@pytest.mark.parametrize('divisor', [0, -32, 2.5, True, '32'])
def test_a_size_divisor_that_is_not_a_positive_integer_is_a_config_error(divisor):
    with pytest.raises(ConfigError, match=r'test_cfg.size_divisor=.* must be a positive integer'):
        InferenceSettings(size_divisor=divisor)


@pytest.mark.parametrize('name', ['osmn_mobilenet_v1_davis2016.py',
                                  'osmn_match_mobilenet_v1_davis2016.py'])
def test_the_real_video_recipes_segment_a_16_9_clip_at_a_multiple_of_their_stride(name):
    settings = InferenceSettings.from_config(Config.fromfile(os.path.join(REPO, 'configs', name)))
    assert settings.working_size((480, 854)) == (384, 672)  # tools/test.py: the test size
    settings.size, settings.max_size = None, 672  # tools/infer_video.py: the aspect kept
    assert settings.working_size((1080, 1920)) == (384, 672)
