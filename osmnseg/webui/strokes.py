"""Brush strokes as the page sends them: points, a radius, an object id, paint or erase.

A stroke covers every pixel whose centre lies within ``radius`` of the polyline through its
points (a single point: a disk). The page draws the same shape with the same arithmetic
(``static/paint.js``, ``strokeMask``), so the mask it shows while painting equals the one the
server stores; the server answers each stroke with the frame's mask checksum and the page
reloads the mask in the rare case they differ. A stroke is a few KB of JSON, whatever the
frame size.
"""
import dataclasses
import math
import zlib

import numpy as np

from osmnseg.utils.errors import DataError

MAX_POINTS = 5000  # a long drag at 60 events/s for over a minute
MAX_OBJECT_ID = 255


@dataclasses.dataclass(frozen=True)
class Stroke:
    """One drag of the brush.

    Attributes:
        points: ``[(x, y), ...]`` in frame pixels (``(0, 0)`` is the top-left corner of the
            top-left pixel; a pixel's centre is at ``+0.5``); points off the frame are fine.
        radius: in frame pixels.
    """

    points: tuple
    radius: float

    @classmethod
    def checked(cls, points, radius):
        """A stroke from the request's values.

        Raises:
            DataError: no point, too many points, a point that is not two finite numbers, or a
                radius that is not a positive finite number.
        """
        if not points or len(points) > MAX_POINTS:
            raise DataError(f'a stroke needs 1 to {MAX_POINTS} points, got {len(points)}; '
                            'send a long drag as several strokes.')
        if not all(len(point) == 2 and all(map(math.isfinite, point)) for point in points):
            raise DataError('every stroke point must be two finite numbers [x, y] in frame '
                            'pixels.')
        if not (math.isfinite(radius) and radius > 0):
            raise DataError(f'the stroke radius must be a positive number of pixels, got '
                            f'{radius}.')
        return cls(tuple((float(x), float(y)) for x, y in points), float(radius))

    def pixels(self, size):
        """``[H, W] bool``: the pixels the stroke covers on a frame of ``size = (H, W)``."""
        height, width = size
        covered = np.zeros((height, width), bool)
        starts = self.points if len(self.points) == 1 else self.points[:-1]
        ends = self.points if len(self.points) == 1 else self.points[1:]
        for start, end in zip(starts, ends):
            _cover_segment(covered, start, end, self.radius)
        return covered


def _cover_segment(covered, start, end, radius):
    """Set the pixels of ``covered`` whose centre is within ``radius`` of segment
    ``start``-``end`` (the same operations, in the same order, as paint.js)."""
    height, width = covered.shape
    (ax, ay), (bx, by) = start, end
    x0 = max(0, math.floor(min(ax, bx) - radius))
    x1 = min(width - 1, math.ceil(max(ax, bx) + radius))
    y0 = max(0, math.floor(min(ay, by) - radius))
    y1 = min(height - 1, math.ceil(max(ay, by) + radius))
    if x0 > x1 or y0 > y1:
        return
    px = np.arange(x0, x1 + 1, dtype=np.float64)[None, :] + 0.5
    py = np.arange(y0, y1 + 1, dtype=np.float64)[:, None] + 0.5
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 > 0:
        t = np.minimum(1.0, np.maximum(0.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    else:
        t = np.zeros((1, 1))
    ex = px - (ax + t * dx)
    ey = py - (ay + t * dy)
    covered[y0:y1 + 1, x0:x1 + 1] |= ex * ex + ey * ey <= radius * radius


def checked_object(obj):
    """``obj`` if it is an object id the palette can show (1..255).

    Raises:
        DataError: it is not.
    """
    if not 1 <= obj <= MAX_OBJECT_ID:
        raise DataError(f'object ids run from 1 to {MAX_OBJECT_ID}, got {obj}.')
    return obj


def mask_checksum(mask):
    """Adler-32 of the mask's bytes (row by row), as the page computes it to check that its
    copy of the mask equals the server's."""
    return zlib.adler32(np.ascontiguousarray(mask, np.uint8).tobytes())
