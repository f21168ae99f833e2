"""J, F, boundary maps, disks and dilation against hand-computed cases."""
import numpy as np
import pytest

from osmnseg.evaluation.metrics import (binary_dilation, boundary_tolerance, db_eval_boundary,
                                        db_eval_iou, disk, f_measure, seg2bmap)


def square(top, left, side, size=(8, 8)):
    mask = np.zeros(size, np.uint8)
    mask[top:top + side, left:left + side] = 1
    return mask


def brute_force_f(pred, gt, radius):
    """F from the definition: a boundary pixel matches if one of the other map lies within
    Euclidean distance ``radius``."""
    def matched(src, dst):
        dst_pts = np.argwhere(dst)
        return sum(np.any(np.sum((dst_pts - p) ** 2, axis=1) <= radius ** 2)
                   for p in np.argwhere(src))
    fg, gt_b = seg2bmap(pred), seg2bmap(gt)
    if not fg.any() or not gt_b.any():
        return float(fg.any() == gt_b.any())
    precision, recall = matched(fg, gt_b) / fg.sum(), matched(gt_b, fg) / gt_b.sum()
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def random_blobs(rng, size, count):
    mask = np.zeros(size, np.uint8)
    for _ in range(count):
        y, x = rng.integers(0, size[0] - 4), rng.integers(0, size[1] - 4)
        h, w = rng.integers(2, size[0] // 2), rng.integers(2, size[1] // 2)
        mask[y:y + h, x:x + w] = 1
    return mask


def test_iou_of_overlapping_squares():
    # two 4x4 squares offset by (2, 2): intersection 2x2 = 4, union 16 + 16 - 4 = 28
    first, second = square(0, 0, 4, (10, 10)), square(2, 2, 4, (10, 10))
    assert db_eval_iou(first, second) == pytest.approx(4 / 28)


def test_iou_empty_cases():
    empty, obj = np.zeros((6, 6)), square(1, 1, 3, (6, 6))
    assert db_eval_iou(empty, empty) == 1.0
    assert db_eval_iou(obj, empty) == 0.0
    assert db_eval_iou(empty, obj) == 0.0


def test_iou_per_frame_and_void():
    gt = np.stack([square(0, 0, 4, (10, 10)), np.zeros((10, 10))])
    pred = np.stack([square(2, 2, 4, (10, 10)), np.zeros((10, 10))])
    np.testing.assert_allclose(db_eval_iou(gt, pred), [4 / 28, 1.0])
    # voiding the prediction's part outside the ground truth leaves intersection 4 / union 16
    void = (pred[0] == 1) & (gt[0] == 0)
    assert db_eval_iou(gt[0], pred[0], void) == pytest.approx(4 / 16)


def test_seg2bmap_of_small_square():
    # a 3x3 square at rows/cols 2..4: boundary = perimeter of the box rows/cols 1..4
    expected = np.array([
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 1, 1, 1, 0, 0, 0],
        [0, 1, 0, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 1, 0, 0, 0],
        [0, 1, 1, 1, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
    ], bool)
    np.testing.assert_array_equal(seg2bmap(square(2, 2, 3)), expected)


def test_seg2bmap_last_row_and_column_rules():
    # a full mask has no boundary at all (last row/column only compare inside the image)
    assert not seg2bmap(np.ones((5, 6))).any()
    # a square in the bottom-right corner: its last row/column are not boundary pixels
    expected = np.zeros((5, 5), bool)
    expected[2, 2:5] = expected[2:5, 2] = True
    np.testing.assert_array_equal(seg2bmap(square(3, 3, 2, (5, 5))), expected)


def test_disk_matches_skimage_definition():
    np.testing.assert_array_equal(disk(0), [[1]])
    np.testing.assert_array_equal(disk(1), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    np.testing.assert_array_equal(disk(2), [
        [0, 0, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 0, 0],
    ])
    np.testing.assert_array_equal(disk(3), [
        [0, 0, 0, 1, 0, 0, 0],
        [0, 1, 1, 1, 1, 1, 0],
        [0, 1, 1, 1, 1, 1, 0],
        [1, 1, 1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1, 1, 0],
        [0, 1, 1, 1, 1, 1, 0],
        [0, 0, 0, 1, 0, 0, 0],
    ])
    assert disk(2).dtype == np.uint8
    with pytest.raises(ValueError):
        disk(1.5)


def test_binary_dilation_of_single_pixels():
    mask = np.zeros((7, 7), bool)
    mask[0, 0] = mask[4, 4] = True
    out = binary_dilation(mask, disk(1))
    expected = np.zeros((7, 7), bool)
    for y, x in [(0, 0), (0, 1), (1, 0), (4, 4), (3, 4), (5, 4), (4, 3), (4, 5)]:
        expected[y, x] = True
    np.testing.assert_array_equal(out, expected)


def test_binary_dilation_equals_shift_or_reference():
    rng = np.random.default_rng(0)
    for structure in (disk(2), disk(4), rng.random((3, 5)) < 0.5):
        mask = rng.random((20, 26)) < 0.05
        reference = np.zeros_like(mask)
        cy, cx = structure.shape[0] // 2, structure.shape[1] // 2
        padded = np.pad(mask, ((cy, cy), (cx, cx)))
        for dy, dx in np.argwhere(structure):
            # out[y, x] |= mask[y - (dy - cy), x - (dx - cx)]
            reference |= padded[2 * cy - dy:2 * cy - dy + 20, 2 * cx - dx:2 * cx - dx + 26]
        np.testing.assert_array_equal(binary_dilation(mask, structure), reference)


def test_boundary_tolerance():
    assert boundary_tolerance((480, 854)) == 8
    assert boundary_tolerance((8, 8)) == 1  # ceil(0.008 * 11.3)
    assert boundary_tolerance((480, 854), bound_th=3) == 3


def test_f_shift_within_tolerance_is_perfect():
    # 1-px shift, tolerance 1: every boundary pixel has a 4-neighbour on the other boundary
    gt, pred = square(2, 2, 3), square(2, 3, 3)
    assert f_measure(pred, gt, bound_th=1) == 1.0
    assert db_eval_boundary(gt, pred) == 1.0  # default tolerance is also 1 px at 8x8


def test_f_shift_beyond_tolerance_counted_by_hand():
    # gt boundary = perimeter of box rows 1..4 x cols 1..4 (12 px); pred shifted by 2 columns =
    # perimeter of rows 1..4 x cols 3..6. Within distance 1 of gt: its columns 3..5 of the top and
    # bottom rows (6 px) and (2,3), (3,3) -> 8 of 12; by symmetry recall is 8/12 too -> F = 2/3.
    gt, pred = square(2, 2, 3), square(2, 4, 3)
    assert f_measure(pred, gt, bound_th=1) == pytest.approx(2 / 3)
    # a tolerance of 2 covers the shift
    assert f_measure(pred, gt, bound_th=2) == 1.0


def test_f_empty_cases():
    empty, obj = np.zeros((8, 8)), square(2, 2, 3)
    assert f_measure(empty, empty) == 1.0
    assert f_measure(obj, empty) == 0.0
    assert f_measure(empty, obj) == 0.0
    # a full-frame mask has no boundary: against itself 1, against a square 0
    full = np.ones((8, 8))
    assert f_measure(full, full) == 1.0
    assert f_measure(obj, full) == 0.0


def test_f_stack_and_brute_force_definition():
    rng = np.random.default_rng(1)
    gts = np.stack([random_blobs(rng, (30, 40), 3) for _ in range(6)])
    preds = np.stack([random_blobs(rng, (30, 40), 3) for _ in range(6)])
    scores = db_eval_boundary(gts, preds, bound_th=3)
    assert scores.shape == (6,)
    for gt, pred, score in zip(gts, preds, scores):
        assert score == pytest.approx(brute_force_f(pred, gt, 3))


def test_scipy_cross_check():
    """Dilation and F against scipy.ndimage (a test dependency, not a runtime one)."""
    from scipy import ndimage
    rng = np.random.default_rng(2)
    for radius in (1, 3, 8):
        for _ in range(3):
            mask = rng.random((60, 90)) < 0.02
            np.testing.assert_array_equal(binary_dilation(mask, disk(radius)),
                                          ndimage.binary_dilation(mask, disk(radius)))
    gt, pred = random_blobs(rng, (48, 64), 4), random_blobs(rng, (48, 64), 4)
    fg_b, gt_b = seg2bmap(pred), seg2bmap(gt)
    structure = disk(boundary_tolerance(gt.shape))
    precision = np.sum(fg_b & ndimage.binary_dilation(gt_b, structure)) / fg_b.sum()
    recall = np.sum(gt_b & ndimage.binary_dilation(fg_b, structure)) / gt_b.sum()
    assert f_measure(pred, gt) == pytest.approx(2 * precision * recall / (precision + recall))
