"""Strokes: the pixels within the radius of the polyline, checked inputs, the mask checksum."""
import zlib

import numpy as np
import pytest

from osmnseg.utils.errors import DataError
from osmnseg.webui.strokes import Stroke, checked_object, mask_checksum


def reference(points, radius, size):
    """Brute force: each pixel centre's distance to the nearest point of the polyline."""
    ys, xs = np.mgrid[:size[0], :size[1]] + 0.5
    nearest = np.full(size, np.inf)
    pairs = zip(points, points[1:]) if len(points) > 1 else [(points[0], points[0])]
    for (ax, ay), (bx, by) in pairs:
        length2 = (bx - ax) ** 2 + (by - ay) ** 2
        t = np.clip(((xs - ax) * (bx - ax) + (ys - ay) * (by - ay)) / length2, 0, 1) \
            if length2 else 0
        nearest = np.minimum(nearest, np.hypot(xs - ax - t * (bx - ax), ys - ay - t * (by - ay)))
    return nearest <= radius


def test_one_point_is_a_disk_of_pixel_centres():
    covered = Stroke.checked([[5, 5]], 2).pixels((10, 10))
    assert covered.sum() == 12  # centres 4.5/5.5 +- 1: a 4x4 square minus its corners
    assert covered[3:7, 3:7].sum() == 12 and not covered[3, 3]


@pytest.mark.parametrize('points,radius', [
    ([[3.2, 4.7], [20.5, 9.1], [25, 22]], 2.5),
    ([[-5, 3], [40, 3]], 0.7),  # off the frame on both sides: cut to it
    ([[10, 10], [10, 10]], 4),  # a zero-length segment
])
def test_a_stroke_covers_the_pixels_within_its_radius_of_the_polyline(points, radius):
    size = (24, 32)
    np.testing.assert_array_equal(Stroke.checked(points, radius).pixels(size),
                                  reference(points, radius, size))


def test_a_stroke_off_the_frame_covers_nothing():
    assert not Stroke.checked([[-20, -20], [-10, -30]], 3).pixels((8, 8)).any()


@pytest.mark.parametrize('points,radius,expected', [
    ([], 2, 'needs 1 to 5000 points'),
    ([[1, 2]] * 5001, 2, 'needs 1 to 5000 points'),
    ([[1, 2, 3]], 2, 'two finite numbers'),
    ([[1, float('nan')]], 2, 'two finite numbers'),
    ([[1, 2]], 0, 'positive number'),
    ([[1, 2]], float('inf'), 'positive number'),
])
def test_a_bad_stroke_is_refused(points, radius, expected):
    with pytest.raises(DataError, match=expected):
        Stroke.checked(points, radius)


def test_object_ids_are_checked_and_the_checksum_is_adler32():
    assert checked_object(255) == 255
    with pytest.raises(DataError, match='from 1 to 255'):
        checked_object(0)
    mask = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert mask_checksum(mask) == zlib.adler32(bytes(range(12)))
