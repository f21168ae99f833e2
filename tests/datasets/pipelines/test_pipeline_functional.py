"""The numpy/PIL helpers of the pipelines against hand-computed values (spec §4)."""
import math

import numpy as np
import pytest

from osmnseg.datasets.pipelines import functional as F
from osmnseg.io.masks import disk


def _rectangle(shape, rows, cols):
    mask = np.zeros(shape, np.uint8)
    mask[rows[0]:rows[1] + 1, cols[0]:cols[1] + 1] = 1
    return mask


# ------------------------------------------------------------------ spatial guide (§4.3)
def test_robust_gaussian_params_of_a_rectangle():
    # columns 20..59 (40 values): median 39.5, |x - 39.5| = 0.5..19.5 twice -> MAD 10;
    # rows 10..29 (20 values): median 19.5, MAD 5.
    center, std = F.robust_gaussian_params(_rectangle((64, 96), (10, 29), (20, 59)))
    np.testing.assert_allclose(center, [39.5, 19.5])
    np.testing.assert_allclose(std, [14.826, 7.413])


def test_robust_std_is_at_least_min_std():
    center, std = F.robust_gaussian_params(_rectangle((32, 32), (10, 12), (5, 7)))
    np.testing.assert_allclose(center, [6, 11])
    np.testing.assert_allclose(std, [5.0, 5.0])  # 1.4826 * MAD 1 < 5


def test_spatial_guide_peak_and_spread():
    # 41 columns 20..60 and 21 rows 10..30: integer medians (40, 20); MADs 10 and 5.
    heatmap = F.make_spatial_guide(_rectangle((48, 96), (10, 30), (20, 60)))
    assert heatmap.shape == (48, 96) and heatmap.dtype == np.float32
    assert heatmap[20, 40] == 1.0 and heatmap.max() == 1.0
    sigma_x = 1.4826 * 10
    expected = math.exp(-0.5 * 7 ** 2 / sigma_x ** 2) * math.exp(-0.5 * 3 ** 2 / 7.413 ** 2)
    assert heatmap[23, 47] == pytest.approx(expected, rel=1e-5)


def test_spatial_guide_of_an_empty_mask_is_zero():
    assert not F.make_spatial_guide(np.zeros((8, 8), np.uint8), np.random.default_rng(0)).any()


def test_spatial_guide_perturbation_moves_the_peak_within_bounds():
    mask = _rectangle((64, 96), (10, 30), (20, 60))
    heatmap = F.make_spatial_guide(mask, np.random.default_rng(3))
    row, col = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    assert not np.array_equal(heatmap, F.make_spatial_guide(mask))
    assert abs(col - 40) <= 0.2 * 14.826 + 1 and abs(row - 20) <= 0.2 * 7.413 + 1


# ------------------------------------------------------------------ visual guide (§4.2)
def _ramp_image(height, width):
    values = np.arange(height * width * 3) % 251
    return values.reshape(height, width, 3).astype(np.uint8)


def test_mask_bbox_is_inclusive_and_empty_gives_full_image():
    assert F.mask_bbox(_rectangle((20, 30), (5, 14), (10, 29))) == (10, 5, 29, 14)
    assert F.mask_bbox(np.zeros((20, 30), np.uint8)) == (0, 0, 29, 19)


def test_guide_crop_keeps_the_last_row_and_column():
    # Quirk 13 fixed: the 16x16 object crops to 16x16 (the reference lost a row and a column).
    image = _ramp_image(40, 50)
    mask = _rectangle((40, 50), (8, 23), (4, 19))
    guide, guide_mask = F.make_visual_guide(image, mask, size=16, pad_ratio=0.0)
    np.testing.assert_array_equal(guide, image[8:24, 4:20])
    assert guide_mask.all()


def test_test_time_padding_of_three_percent_is_zero_filled():
    image = _ramp_image(200, 220)
    mask = _rectangle((200, 220), (50, 149), (60, 159))  # a 100x100 box
    guide, guide_mask = F.make_visual_guide(image, mask, size=106, pad_ratio=0.03)
    # int(0.03 * 100) = 3 pixels on every side; outside the tight box is 0 (as the reference,
    # which pads the already cropped box), even where the frame has pixels.
    np.testing.assert_array_equal(guide[3:103, 3:103], image[50:150, 60:160])
    assert not guide[:3].any() and not guide[103:].any()
    assert not guide[:, :3].any() and not guide[:, 103:].any()
    assert guide_mask[3:103, 3:103].all() and guide_mask.sum() == 100 * 100


def test_default_padding_is_the_spec_s_three_percent_at_test_and_none_in_training():
    image = _ramp_image(200, 220)
    mask = _rectangle((200, 220), (50, 149), (60, 159))  # a 100x100 box
    np.testing.assert_array_equal(F.make_visual_guide(image, mask, size=106)[0],
                                  F.make_visual_guide(image, mask, size=106, pad_ratio=0.03)[0])
    assert F.TEST_PAD_RATIO == 0.03 and F.TRAIN_PAD_RATIO == 0.0
    # training without jitter: the tight box alone, resized (no 3 % border of zeros)
    trained, _ = F.make_visual_guide(image, mask, np.random.default_rng(0), size=100)
    np.testing.assert_array_equal(trained, image[50:150, 60:160])


def test_jitter_box_truncates_toward_zero():
    assert F.jitter_box(10, 10, (0.15, -0.15, 0.15, -0.15)) == (-1, 1, 11, 9)
    assert F.jitter_box(100, 50, (0.03,) * 4) == (-3, -1, 103, 51)


def test_empty_guide_mask_uses_the_full_image():
    image = _ramp_image(24, 24)
    guide, _ = F.make_visual_guide(image, np.zeros((24, 24), np.uint8), size=24, pad_ratio=0.0)
    np.testing.assert_array_equal(guide, image)


def test_keep_aspect_ratio_pads_centred():
    image = np.full((10, 40, 3), 200, np.uint8)
    guide, guide_mask = F.make_visual_guide(image, np.ones((10, 40), np.uint8), size=20,
                                            pad_ratio=0.0, keep_aspect_ratio=True)
    # scale 0.5 -> 20x5, pad (20 - 5) // 2 = 7 rows on top, 8 below.
    assert guide_mask[7:12].all() and guide_mask.sum() == 100
    assert (guide[7:12] == 200).all() and not guide[:7].any() and not guide[12:].any()


def test_training_guide_is_a_function_of_the_generator():
    image, mask = _ramp_image(60, 80), _rectangle((60, 80), (10, 49), (15, 64))
    kwargs = dict(size=32, jitter_ratio=0.1, rotate_deg=10, flip_prob=0.5,
                  color_jitter_range=(0.8, 1.3))
    first = F.make_visual_guide(image, mask, np.random.default_rng(5), **kwargs)
    again = F.make_visual_guide(image, mask, np.random.default_rng(5), **kwargs)
    other = F.make_visual_guide(image, mask, np.random.default_rng(6), **kwargs)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


def _opencv_rotate_nearest(array, angle):
    """OpenCV ``warpAffine(getRotationMatrix2D((w//2, h//2), angle, 1), INTER_NEAREST)``."""
    height, width = array.shape
    cx, cy = width // 2, height // 2
    a, b = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    forward = np.array([[a, b, (1 - a) * cx - b * cy], [-b, a, b * cx + (1 - a) * cy], [0, 0, 1]])
    ys, xs = np.mgrid[0:height, 0:width]
    src = np.linalg.inv(forward) @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    sx, sy = np.floor(src[0] + 0.5).astype(int), np.floor(src[1] + 0.5).astype(int)
    inside = (sx >= 0) & (sx < width) & (sy >= 0) & (sy < height)
    out = np.zeros(xs.size, array.dtype)
    out[inside] = array[sy[inside], sx[inside]]
    return out.reshape(height, width)


@pytest.mark.parametrize('angle', [7.3, -9.1])
def test_rotation_matches_opencv_convention(angle):
    image = np.random.default_rng(0).integers(0, 255, (224, 224), dtype=np.uint8)
    reference = _opencv_rotate_nearest(image, angle)
    # Only rounding ties may differ; the wrong sign or centre would differ almost everywhere.
    assert (F.rotate_nearest(image, angle) != reference).mean() < 0.005
    assert (F.rotate_nearest(image, -angle) != reference).mean() > 0.5


# ------------------------------------------------------------------ masktrack guide (§4.4)
def test_masktrack_test_guide_is_the_dilated_mask_times_255():
    mask = np.zeros((30, 30), np.uint8)
    mask[15, 12] = 1
    guide = F.make_masktrack_guide(mask)
    expected = np.zeros((30, 30), np.float32)
    expected[10:21, 7:18] = disk(5) * 255.0
    np.testing.assert_array_equal(guide, expected)


def test_perturb_mask_rescales_and_shifts_within_bounds():
    mask = _rectangle((80, 80), (30, 49), (20, 59))  # 40x20 object
    for seed in range(5):
        out = F.perturb_mask(mask, np.random.default_rng(seed))
        xmin, ymin, xmax, ymax = F.mask_bbox(out)
        width, height = xmax - xmin + 1, ymax - ymin + 1
        assert 0.8 * 40 - 1 <= width <= 1.2 * 40 + 1 and 0.8 * 20 - 1 <= height <= 1.2 * 20 + 1
        assert abs((xmin + xmax) / 2 - 39.5) <= 0.2 * 39 + 2
        assert set(np.unique(out)) == {0, 1}


# ------------------------------------------------------------------ normalisation (§4.1)
def test_normalize_is_bgr_minus_mean():
    pixel = np.array([[[10, 20, 30]]], np.uint8)  # R, G, B
    np.testing.assert_array_equal(F.normalize_image(pixel), [[[30 - 104, 20 - 117, 10 - 123]]])
    np.testing.assert_array_equal(F.normalize_image(pixel, scale=0.5),
                                  [[[-37.0, -48.5, -56.5]]])


def test_normalize_rgb_unit_and_denormalize_round_trip():
    image = np.array([[[0, 127, 255]]], np.uint8)
    np.testing.assert_allclose(F.normalize_image(image, mode='rgb_unit'),
                               [[[-1.0, 127 / 127.5 - 1, 1.0]]])
    for mode in ('mean_subtract', 'rgb_unit'):
        restored = F.denormalize_image(F.normalize_image(image, mode=mode), mode=mode)
        np.testing.assert_array_equal(restored, image)


def test_mask_background_zeroes_exactly_the_background():
    guide = np.random.default_rng(0).normal(size=(6, 6, 3)).astype(np.float32) + 10
    mask = np.random.default_rng(1).integers(0, 2, (6, 6)).astype(np.uint8)
    masked = F.mask_background(guide, mask)
    assert (masked[mask == 0] == 0).all()
    np.testing.assert_array_equal(masked[mask == 1], guide[mask == 1])
