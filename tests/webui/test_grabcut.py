"""A mask from a box (GrabCut): the object in its box, hints as hard labels, other objects
left alone, the box checked."""
import numpy as np
import pytest

from osmnseg.utils.errors import DataError
from osmnseg.webui.grabcut import Box, segment_box

SIZE = (60, 80)
YS, XS = np.mgrid[:SIZE[0], :SIZE[1]]
DISK = (YS - 30) ** 2 + (XS - 40) ** 2 <= 15 ** 2


def green_frame(noise=10, seed=0):
    """``[H, W, 3] uint8``: green with Gaussian noise."""
    rng = np.random.default_rng(seed)
    colour = np.full((*SIZE, 3), [40, 160, 40], float) + rng.normal(0, noise, (*SIZE, 3))
    return np.clip(colour, 0, 255).astype(np.uint8)


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_the_box_of_an_object_gives_its_mask():
    frame = green_frame()
    frame[DISK] = np.clip(frame[DISK].astype(int) + [160, -130, -10], 0, 255)  # noisy red
    mask = segment_box(frame, Box.checked([23, 13, 57, 47], SIZE))
    assert mask.dtype == bool and mask.shape == SIZE
    assert iou(mask, DISK) > 0.95


def test_a_box_of_the_whole_frame_still_has_background_to_learn_from():
    frame = green_frame()
    frame[DISK] = [200, 30, 30]
    mask = segment_box(frame, Box.checked([0, 0, SIZE[1], SIZE[0]], SIZE))
    assert iou(mask, DISK) > 0.9


def test_hints_are_hard_labels_and_the_mask_outside_the_box_is_kept():
    patch = (YS >= 24) & (YS < 36) & (XS >= 54) & (XS < 60)  # blue, on the disk's right
    frame = green_frame()
    frame[DISK] = [200, 30, 30]
    frame[patch | (XS >= 68)] = [30, 30, 220]  # blue is also in the box's margin
    box = Box.checked([23, 13, 62, 47], SIZE)
    current = segment_box(frame, box)
    assert iou(current, DISK) > 0.95 and not current[patch].any()
    current[0:2, 0:2] = True  # a brush edit outside the box and its margin
    inside = (YS >= 29) & (YS < 31) & (XS >= 56) & (XS < 58)
    outside = (YS >= 16) & (YS < 18) & (XS >= 39) & (XS < 41)  # red, but not the object
    mask = segment_box(frame, box, [(inside, True), (outside, False)], current=current)
    assert mask[patch].all() and not mask[outside].any() and mask[0:2, 0:2].all()
    assert iou(mask & (YS >= 2), (DISK & ~outside) | patch) > 0.95


def test_blocked_pixels_are_never_returned():
    frame = green_frame()
    frame[DISK] = [200, 30, 30]
    blocked = DISK & (XS < 40)  # another object's half of the disk
    mask = segment_box(frame, Box.checked([23, 13, 57, 47], SIZE), blocked=blocked)
    assert not mask[blocked].any() and iou(mask, DISK & ~blocked) > 0.9


def test_a_box_is_cut_to_the_frame_and_must_not_be_tiny():
    assert Box.checked([90.5, 70, -4, 10.2], SIZE).as_list() == [0, 10, 80, 60]
    with pytest.raises(DataError, match=r'the box is 3x10 pixels on the frame'):
        Box.checked([10, 10, 13, 20], SIZE)
    with pytest.raises(DataError, match='four numbers'):
        Box.checked([1, 2, 3], SIZE)
