"""Undo and redo of a frame's edits, and the mask it had before them.

Every edit of a frame (a stroke, a box, a hint, an uploaded PNG, forgetting the edits) first
records the frame's state: its mask, whether it counted as edited, and its box with the hints
drawn so far. Undo brings the last recorded state back (and records the present one for redo);
a new edit clears the redo list. The states live in memory, each mask zlib-compressed (a few KB:
masks are mostly runs of one value), at most :data:`UNDO_DEPTH` per frame.
"""
import collections
import dataclasses
import zlib

import numpy as np

UNDO_DEPTH = 50


@dataclasses.dataclass(frozen=True)
class BoxSession:
    """The box drawn on a frame and the hint strokes added to it since.

    Attributes:
        object_id: the object the box segments.
        box: :class:`~osmnseg.webui.grabcut.Box`.
        hints: ``((Stroke, inside: bool), ...)``, oldest first.
    """

    object_id: int
    box: object
    hints: tuple = ()

    def with_hint(self, stroke, inside):
        return dataclasses.replace(self, hints=self.hints + ((stroke, inside),))


@dataclasses.dataclass(frozen=True)
class FrameState:
    """What undo restores: the mask (compressed), the edited mark and the box session."""

    packed_mask: bytes
    edited: bool
    box: BoxSession = None

    @classmethod
    def of(cls, mask, edited, box):
        return cls(zlib.compress(np.ascontiguousarray(mask, np.uint8).tobytes(), 1), edited,
                   box)

    def mask(self, size):
        """``[H, W] uint8`` object ids."""
        return np.frombuffer(zlib.decompress(self.packed_mask), np.uint8).reshape(size)


class FrameHistory:
    """The undo and redo states of one frame."""

    def __init__(self):
        self.undo = collections.deque(maxlen=UNDO_DEPTH)
        self.redo = []

    def record(self, state):
        """``state`` is the frame before a new edit."""
        self.undo.append(state)
        self.redo.clear()

    def step_back(self, present):
        """The state to restore for undo (``present`` goes to redo), or ``None``."""
        if not self.undo:
            return None
        self.redo.append(present)
        return self.undo.pop()

    def step_forward(self, present):
        """The state to restore for redo (``present`` goes to undo), or ``None``."""
        if not self.redo:
            return None
        self.undo.append(present)
        return self.redo.pop()

    def counts(self):
        """``[undo steps, redo steps]``."""
        return [len(self.undo), len(self.redo)]
