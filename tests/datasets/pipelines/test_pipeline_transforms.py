"""TRANSFORMS classes: file loading, guides, resize/flip, normalisation, packing, Compose."""
import os

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.io.palette import save_palette_png
from osmnseg.datasets.pipelines import (DEFAULT_GUIDE_SIZE, TEST_PAD_RATIO, Compose,
                                        make_spatial_guide, visual_guide_size)
from osmnseg.io.masks import resize_mask
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import BuildError, ConfigError, DataError, RegistryError

CONFIGS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'configs', '_base_',
                       'datasets')


def _build(**cfg):
    return TRANSFORMS.build(cfg)


def _rectangle(shape, rows, cols):
    mask = np.zeros(shape, np.uint8)
    mask[rows[0]:rows[1] + 1, cols[0]:cols[1] + 1] = 1
    return mask


# ------------------------------------------------------------------ loading
def test_load_frame_makes_grey_rgb(tmp_path):
    path = str(tmp_path / 'grey.png')
    Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4)).save(path)
    image = _build(type='LoadFrame')(dict(image_path=path))['image']
    assert image.shape == (3, 4, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_load_frame_names_a_corrupted_or_missing_file(tmp_path):
    path = tmp_path / 'broken.jpg'
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:200])  # truncated JPEG
    for bad in (str(path), str(tmp_path / 'missing.jpg')):
        with pytest.raises(DataError, match=os.path.basename(bad)):
            _build(type='LoadGuideFrame')(dict(guide_image_path=bad))


def test_load_object_mask_selects_the_object_and_matches_the_frame(tmp_path):
    path = str(tmp_path / 'label.png')
    save_palette_png(path, np.array([[0, 1], [2, 2]], np.uint8))
    load = _build(type='LoadObjectMask', path_key='guide_label_path', out_key='guide_mask',
                  frame_key='guide_image')
    results = dict(guide_label_path=path, obj_id=2, guide_image=np.zeros((4, 4, 3), np.uint8))
    np.testing.assert_array_equal(load(results)['guide_mask'],
                                  [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1]])
    any_object = _build(type='LoadObjectMask')(dict(label_path=path, obj_id=None))['label']
    np.testing.assert_array_equal(any_object, [[0, 1], [1, 1]])


def test_load_object_mask_rejects_rgb_annotations(tmp_path):
    path = str(tmp_path / 'rgb.png')
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    with pytest.raises(DataError, match='rgb.png'):
        _build(type='LoadObjectMask')(dict(label_path=path, obj_id=1))


def test_load_coco_masks_fills_every_key():
    results = dict(coco_segmentation=[[1.0, 1.0, 6.0, 1.0, 6.0, 5.0, 1.0, 5.0]], img_height=8,
                   img_width=10)
    results = _build(type='LoadCocoMasks', out_keys=('label', 'guide_mask'))(results)
    assert results['label'].shape == (8, 10) and results['label'].any()
    np.testing.assert_array_equal(results['label'], results['guide_mask'])


# ------------------------------------------------------------------ guides
def test_visual_guide_test_mode_ignores_the_generator():
    image = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    mask = _rectangle((40, 60), (5, 30), (10, 50))
    guide = _build(type='VisualGuide', size=32, pad_ratio=0.03, test_mode=True)
    first = guide(dict(guide_image=image, guide_mask=mask))
    second = guide(dict(guide_image=image, guide_mask=mask, rng=np.random.default_rng(1)))
    assert first['guide'].shape == (32, 32, 3) and first['guide_mask'].shape == (32, 32)
    np.testing.assert_array_equal(first['guide'], second['guide'])


def test_visual_guide_pads_by_the_spec_unless_told():
    image = np.random.default_rng(0).integers(0, 255, (100, 120, 3), dtype=np.uint8)
    mask = _rectangle((100, 120), (20, 69), (30, 89))  # 50x60: int(0.03 * side) = 1 pixel

    def guide(**kwargs):
        step = _build(type='VisualGuide', size=32, test_mode=True, **kwargs)
        return step(dict(guide_image=image, guide_mask=mask.copy()))['guide']

    np.testing.assert_array_equal(guide(), guide(pad_ratio=TEST_PAD_RATIO))
    assert not np.array_equal(guide(), guide(pad_ratio=0.0))


def test_visual_guide_rejects_a_mask_of_another_size():
    with pytest.raises(DataError, match='g.png'):
        _build(type='VisualGuide', test_mode=True)(dict(
            guide_image=np.zeros((8, 8, 3), np.uint8), guide_mask=np.zeros((4, 4), np.uint8),
            guide_label_path='g.png'))


def test_spatial_guide_works_at_the_working_size():
    prev = _rectangle((40, 60), (10, 30), (20, 40))
    results = _build(type='SpatialGuide', test_mode=True)(dict(prev_mask=prev, out_size=(20, 30)))
    expected = make_spatial_guide(resize_mask(prev, (20, 30)))  # nearest first
    assert results['spatial_guide'].shape == (20, 30)
    np.testing.assert_array_equal(results['spatial_guide'], expected)


def test_masktrack_guide_is_0_or_255():
    results = dict(prev_mask=_rectangle((40, 40), (10, 25), (8, 30)), out_size=(40, 40),
                   rng=np.random.default_rng(0))
    guide = _build(type='MaskTrackGuide')(results)['spatial_guide']
    assert set(np.unique(guide)) == {0.0, 255.0}


# ------------------------------------------------------------------ resize, flip
def test_resize_to_the_batch_size_or_a_fixed_size():
    image = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    label = (np.arange(600).reshape(20, 30) % 3).astype(np.uint8)
    results = _build(type='Resize')(dict(image=image, label=label, out_size=(10, 15)))
    assert results['image'].shape == (10, 15, 3) and results['label'].shape == (10, 15)
    assert set(np.unique(results['label'])) <= {0, 1, 2}  # nearest keeps values
    fixed = _build(type='Resize', size=(8, 12))(dict(image=image))
    assert fixed['image'].shape == (8, 12, 3) and fixed['out_size'] == (8, 12)


@pytest.mark.parametrize('flip_image', [True, False])
def test_random_flip_moves_image_and_label_together(flip_image):
    image = np.random.default_rng(0).integers(0, 255, (6, 8, 3), dtype=np.uint8)
    label = _rectangle((6, 8), (1, 3), (0, 2))
    results = _build(type='RandomFlip', prob=1.0)(dict(
        image=image, label=label, flip_image=flip_image, rng=np.random.default_rng(0)))
    expected_image, expected_label = (image[:, ::-1], label[:, ::-1]) if flip_image else (image,
                                                                                          label)
    np.testing.assert_array_equal(results['image'], expected_image)
    np.testing.assert_array_equal(results['label'], expected_label)


# ------------------------------------------------------------------ normalisation, packing
def test_normalize_then_mask_background():
    guide = np.full((4, 4, 3), (10, 20, 30), np.uint8)
    mask = _rectangle((4, 4), (1, 2), (1, 2))
    results = _build(type='Normalize')(dict(guide=guide, guide_mask=mask,
                                            image=np.zeros((2, 2, 3), np.uint8)))
    results = _build(type='MaskGuideBackground')(results)
    np.testing.assert_array_equal(results['guide'][1, 1], [30 - 104, 20 - 117, 10 - 123])
    assert (results['guide'][mask == 0] == 0).all()
    np.testing.assert_array_equal(results['image'][0, 0], [-104, -117, -123])


def test_normalize_rejects_an_unknown_mode():
    with pytest.raises(BuildError, match='mode'):
        _build(type='Normalize', mode='imagenet')
    with pytest.raises(ConfigError):
        TRANSFORMS.get('Normalize')(mode='imagenet')


def test_pack_inputs_keeps_exactly_the_network_inputs():
    results = dict(image=np.zeros((4, 6, 3)), guide=np.zeros((224, 224, 3)),
                   spatial_guide=np.ones((4, 6)), label=np.full((4, 6), 255, np.uint8),
                   guide_mask=np.ones((224, 224)), sequence='s', rng=None)
    packed = _build(type='PackInputs')(results)
    assert sorted(packed) == ['guide', 'image', 'label', 'spatial_guide']
    assert all(value.dtype == np.float32 for value in packed.values())
    assert packed['label'].shape == (4, 6, 1) and (packed['label'] == 1).all()
    assert packed['spatial_guide'].shape == (4, 6, 1)


# ------------------------------------------------------------------ Compose
def test_compose_from_config_reports_unknown_transforms():
    with pytest.raises(RegistryError, match="'LoadFrames'.*Did you mean 'LoadFrame'"):
        Compose([dict(type='LoadFrame'), dict(type='LoadFrames')])
    with pytest.raises(BuildError, match=r'pipeline\[0\]'):
        Compose([dict(type='RandomFlip', probability=0.5)])


def test_compose_runs_the_coco_config_pipeline():
    pipeline = Config.fromfile(os.path.join(CONFIGS, 'coco.py')).train_pipeline
    compose = Compose(pipeline[1:])  # everything after LoadFrame
    assert 'VisualGuide(size=224' in repr(compose)
    image = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    results = compose(dict(image=image, coco_segmentation=[[5.0, 5.0, 30.0, 5.0, 30.0, 25.0,
                                                            5.0, 25.0]],
                           img_height=30, img_width=40, flip_image=True, out_size=(16, 20),
                           rng=np.random.default_rng(0)))
    assert results['image'].shape == (16, 20, 3) and results['guide'].shape == (224, 224, 3)
    assert results['label'].any() and results['spatial_guide'].max() > 0.5


def test_visual_guide_size_is_read_from_the_pipeline_config():
    steps = [dict(type='LoadFrame'), dict(type='VisualGuide', size=112), dict(type='PackInputs')]
    assert visual_guide_size(steps) == 112
    assert visual_guide_size([dict(type='VisualGuide')]) == DEFAULT_GUIDE_SIZE == 224
    assert visual_guide_size([dict(type='LoadFrame')]) == visual_guide_size(None) == 224


def test_compose_asks_its_steps_what_they_declare_not_their_names():
    class SquareCrop:  # any name: what counts is the declared guide_size
        guide_size = 96

        def __call__(self, results):
            return results

    assert Compose([dict(type='LoadFrame'), SquareCrop()]).guide_size == 96
    assert Compose([dict(type='LoadFrame')]).guide_size == DEFAULT_GUIDE_SIZE
    normalize = dict(type='Normalize', mean=(1, 2, 3), scale=0.5, to_bgr=False, mode='rgb_unit')
    assert Compose([dict(type='LoadFrame'), normalize]).normalization == dict(
        mean=(1, 2, 3), scale=0.5, to_bgr=False, mode='rgb_unit')
    assert Compose([dict(type='LoadFrame')]).normalization is None



def test_random_flip_of_any_sample_when_not_flagged_only():
    image = np.random.default_rng(0).integers(0, 255, (6, 8, 3), dtype=np.uint8)
    label = _rectangle((6, 8), (1, 3), (0, 2))
    results = _build(type='RandomFlip', prob=1.0, flagged_only=False)(dict(
        image=image, label=label, prev_mask=label.copy(), flip_image=False,
        rng=np.random.default_rng(0)))
    np.testing.assert_array_equal(results['image'], image[:, ::-1])
    np.testing.assert_array_equal(results['prev_mask'], label[:, ::-1])


def test_random_scale_crop_cuts_frame_and_masks_together():
    rows, cols = np.mgrid[:40, :60]
    image = np.dstack([rows, cols, rows + cols]).astype(np.uint8)  # pixel = its coordinates
    label = ((rows * 7 + cols) % 251).astype(np.uint8)
    for seed in range(5):
        results = _build(type='RandomScaleCrop', scale_range=(0.5, 0.8), prob=1.0)(dict(
            image=image.copy(), label=label.copy(), prev_mask=label.copy(),
            rng=np.random.default_rng(seed)))
        height, width = results['label'].shape
        assert 20 <= height <= 32 and abs(width / height - 1.5) < 0.1
        assert results['image'].shape[:2] == (height, width)
        np.testing.assert_array_equal(results['label'], results['prev_mask'])
        # the crop is one window of the original for the frame and its masks
        top, left = results['image'][0, 0, :2]
        np.testing.assert_array_equal(results['image'],
                                      image[top:top + height, left:left + width])
        np.testing.assert_array_equal(results['label'],
                                      label[top:top + height, left:left + width])
    unchanged = _build(type='RandomScaleCrop', prob=0.0)(dict(
        image=image, label=label, rng=np.random.default_rng(0)))
    assert unchanged['image'] is image


def test_random_color_jitter_changes_the_named_images_alike_and_nothing_else():
    rng = np.random.default_rng(0)
    image = rng.integers(40, 200, (12, 16, 3)).astype(np.uint8)
    guide = image.copy()
    jitter = _build(type='RandomColorJitter', keys=('image', 'prev_image'),
                    factor_range=(0.6, 0.7), prob=1.0)
    results = jitter(dict(image=image.copy(), prev_image=image.copy(), guide_image=guide,
                          rng=np.random.default_rng(1)))
    assert results['image'].dtype == np.uint8 and results['image'].shape == image.shape
    assert results['image'].mean() < image.mean() - 5  # darker: brightness factor <= 0.7
    np.testing.assert_array_equal(results['image'], results['prev_image'])  # same factors
    assert results['guide_image'] is guide
    unchanged = _build(type='RandomColorJitter', prob=0.0)(dict(
        image=image, rng=np.random.default_rng(0)))
    assert unchanged['image'] is image
    with pytest.raises(BuildError, match='factor_range must satisfy'):
        _build(type='RandomColorJitter', factor_range=(0.0, 1.2))


def test_random_scale_crop_rejects_bad_ranges():
    from osmnseg.utils.errors import OsmnsegError
    with pytest.raises(OsmnsegError, match='scale_range must satisfy'):
        _build(type='RandomScaleCrop', scale_range=(0.5, 1.5))
