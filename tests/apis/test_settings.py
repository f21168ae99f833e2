"""InferenceSettings come from the test pipeline's transforms themselves, whatever their name."""
import pytest

from osmnseg.apis import InferenceSettings
from osmnseg.datasets.pipelines import MaskTrackGuide, VisualGuide
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import RegistryError


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
