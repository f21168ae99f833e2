"""A first mask from a box, refined by inside/outside strokes: OpenCV's GrabCut.

A box around an object gives its mask: GrabCut learns a colour model of the object (the box)
and of the background (a margin around it) and cuts along the image's edges. Each hint stroke
then marks pixels as surely inside or outside the object; the cut is run again starting from
the object's current mask, with every hint of the box kept as a hard label, so a hint fixes its
own area and whatever the colour model ties to it, and earlier hints stay put.

GrabCut runs on the box and its margin, scaled down to at most :data:`WORK_PIXELS` pixels
(about a 330x240 crop), so a box costs about the same at 480p and at 1080p: a few tenths of a
second on one CPU core. The result is scaled back and every hint pixel is set as the hint says.
"""
import dataclasses

import cv2
import numpy as np

from osmnseg.utils.errors import DataError

WORK_PIXELS = 80_000
MARGIN = 0.1  # of the box's longer side, around the box: the background's colour samples
MIN_MARGIN = 16  # pixels; a small box needs enough background around it
BOX_ITERATIONS = 3  # GrabCut iterations of a new box (colour models from scratch)
HINT_ITERATIONS = 1  # iterations after a hint (the current mask already fits the colours)
MIN_BOX_SIDE = 4
MIN_SAMPLES = 10  # pixels each colour model needs (GrabCut's models have 5 components)


@dataclasses.dataclass(frozen=True)
class Box:
    """A box in frame pixels: columns ``x0 <= x < x1``, rows ``y0 <= y < y1``."""

    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def checked(cls, corners, size):
        """The box of two corners ``[x0, y0, x1, y1]`` (any order, frame pixels, fractions
        rounded outwards), cut to a frame of ``size = (H, W)``.

        Raises:
            DataError: it is not four finite numbers, or fewer than 4 pixels wide or tall on
                the frame.
        """
        if len(corners) != 4 or not np.all(np.isfinite(corners)):
            raise DataError('a box is four numbers [x0, y0, x1, y1] in frame pixels.')
        height, width = size
        xa, ya, xb, yb = corners
        box = cls(int(np.clip(np.floor(min(xa, xb)), 0, width)),
                  int(np.clip(np.floor(min(ya, yb)), 0, height)),
                  int(np.clip(np.ceil(max(xa, xb)), 0, width)),
                  int(np.clip(np.ceil(max(ya, yb)), 0, height)))
        if min(box.x1 - box.x0, box.y1 - box.y0) < MIN_BOX_SIDE:
            raise DataError(f'the box is {box.x1 - box.x0}x{box.y1 - box.y0} pixels on the '
                            f'frame; drag a box of at least {MIN_BOX_SIDE}x{MIN_BOX_SIDE} pixels '
                            'around the object.')
        return box

    def as_list(self):
        return [self.x0, self.y0, self.x1, self.y1]


def segment_box(frame, box, hints=(), current=None, blocked=None):
    """The object's mask from its box and hints.

    Args:
        frame: ``[H, W, 3] uint8`` RGB.
        box: :class:`Box`.
        hints: ``[([H, W] bool pixels, inside: bool), ...]``, oldest first; later hints win
            where they overlap.
        current: ``[H, W] bool``, the object's mask now, when hints refine it: the starting
            labels inside the box, and the answer outside the box and its margin. ``None``: a
            new box, where everything inside may be the object and nothing outside is.
        blocked: ``[H, W] bool``, pixels of other objects: never returned (they take no part
            in the colour models' labels, so an object inside another's box is no background
            colour for it).

    Returns:
        ``[H, W] bool``, the object's pixels.
    """
    height, width = frame.shape[:2]
    margin = max(MIN_MARGIN, int(MARGIN * max(box.x1 - box.x0, box.y1 - box.y0)))
    top, left = max(0, box.y0 - margin), max(0, box.x0 - margin)
    bottom, right = min(height, box.y1 + margin), min(width, box.x1 + margin)
    crop = (slice(top, bottom), slice(left, right))
    labels = np.full((bottom - top, right - left), cv2.GC_BGD, np.uint8)
    inner = (slice(box.y0 - top, box.y1 - top), slice(box.x0 - left, box.x1 - left))
    if current is None:
        labels[inner] = cv2.GC_PR_FGD
    else:
        labels[inner] = np.where(current[crop][inner], cv2.GC_PR_FGD, cv2.GC_PR_BGD)
    hard = np.zeros(labels.shape, np.int8)  # 1 surely the object, -1 surely not, 0 open
    for pixels, inside in hints:
        hard[pixels[crop]] = 1 if inside else -1
    result = np.zeros((height, width), bool) if current is None else current.copy()
    result[crop] = _grabcut(np.ascontiguousarray(frame[crop]), labels, hard,
                            BOX_ITERATIONS if current is None else HINT_ITERATIONS)
    for pixels, inside in hints:
        result[pixels] = inside
    if blocked is not None:
        result &= ~blocked
    return result


def _edges_may_be_background(labels):
    """Let the open labels of the outer rows and columns be background, so that a box
    without margin still has background colours to learn from."""
    ring = np.ones(labels.shape, bool)
    ring[1:-1, 1:-1] = False
    labels[ring & (labels == cv2.GC_PR_FGD)] = cv2.GC_PR_BGD


def _grabcut(image, labels, hard, iterations):
    """GrabCut of ``image`` ([h, w, 3] uint8) from ``labels`` (``cv2.GC_*``) with the hard
    labels ``hard`` (1 / -1), at most :data:`WORK_PIXELS` pixels; ``[h, w] bool``."""
    height, width = labels.shape
    scale = min(1.0, (WORK_PIXELS / (height * width)) ** 0.5)
    work_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if scale < 1:
        image = cv2.resize(image, work_size, interpolation=cv2.INTER_AREA)
        labels = cv2.resize(labels, work_size, interpolation=cv2.INTER_NEAREST)
        hard_in = cv2.resize((hard > 0).astype(np.float32), work_size,
                             interpolation=cv2.INTER_AREA) > 0
        hard_out = cv2.resize((hard < 0).astype(np.float32), work_size,
                              interpolation=cv2.INTER_AREA) > 0
    else:
        hard_in, hard_out = hard > 0, hard < 0
    labels[hard_out] = cv2.GC_BGD
    labels[hard_in] = cv2.GC_FGD
    maybe_object = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    if (~maybe_object).sum() < MIN_SAMPLES:  # a box of the whole frame has no margin
        _edges_may_be_background(labels)
        maybe_object = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    if min(maybe_object.sum(), (~maybe_object).sum()) >= MIN_SAMPLES:
        background_model = np.zeros((1, 65), np.float64)  # GrabCut's 5-component GMMs
        object_model = np.zeros((1, 65), np.float64)
        cv2.grabCut(image, labels, None, background_model, object_model, iterations,
                    cv2.GC_INIT_WITH_MASK)
    # else: too few pixels on one side to learn its colours; the labels are the answer
    cut = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.float32)
    if scale < 1:
        cut = cv2.resize(cut, (width, height), interpolation=cv2.INTER_LINEAR)
    return cut >= 0.5
