"""Mask operations (osmnseg/io/masks.py): object ids, object selection, nearest resize, disk
dilation.

The disk and the dilation are also checked against skimage / scipy in
tests/evaluation/test_metrics.py, where the DAVIS boundary measure uses them."""
import numpy as np

from osmnseg.io.masks import binarize_mask, disk, object_ids_in, resize_mask


def test_disk_radius_5():
    structure = disk(5)
    assert structure.shape == (11, 11) and structure.sum() == 81
    offsets = np.arange(-5, 6)
    np.testing.assert_array_equal(structure, offsets[None] ** 2 + offsets[:, None] ** 2 <= 25)


def test_object_ids_in_are_the_positive_ids_ascending():
    index = np.array([[0, 7, 2], [2, 255, 0]], np.uint8)
    assert object_ids_in(index) == [2, 7, 255]
    assert all(type(obj) is int for obj in object_ids_in(index))
    assert object_ids_in(np.array([[3, 1], [1, 3]], np.int32)) == [1, 3]  # no background pixel
    assert object_ids_in(np.zeros((2, 2), np.uint8)) == []


def test_binarize_mask_by_id_or_any():
    index = np.array([[0, 1, 2], [2, 255, 0]], np.uint8)
    np.testing.assert_array_equal(binarize_mask(index, 2), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(binarize_mask(index, None), [[0, 1, 1], [1, 1, 0]])


def test_resize_mask_keeps_values_and_returns_same_size_masks_unchanged():
    index = np.array([[0, 3], [7, 0]], np.int32)
    np.testing.assert_array_equal(resize_mask(index, (4, 4)), np.kron(index, np.ones((2, 2))))
    assert resize_mask(index, (4, 4)).dtype == np.uint8
    same = np.zeros((2, 2), np.uint8)
    assert resize_mask(same, (2, 2)) is same
