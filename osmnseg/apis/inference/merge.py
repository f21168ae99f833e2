"""Merging per-object scores into one index mask (spec §7.5) and resizing outputs."""
import dataclasses

import numpy as np
import tensorflow as tf

from osmnseg.io.masks import resize_mask
# the TensorFlow-free merging, shared with osmnseg.runtime (and imported from here by the core)
from osmnseg.io.scores import merge_scores, soft_aggregate  # noqa: F401

MERGE_MODES = ('argmax', 'soft')


def resize_probability(probability, size):
    """Bilinear resize of an ``[h, w] float32`` probability map to ``size = (H, W)``."""
    if probability.shape == tuple(size):
        return probability
    return tf.image.resize(probability[..., None], size)[..., 0].numpy()


@dataclasses.dataclass(frozen=True)
class FrameScores:
    """One frame's per-object scores before merging.

    Attributes:
        scores: ``{obj: [h, w] float32}`` at working size: predicted probabilities, and 0/1
            for the objects whose mask was given on this frame.
        given: ``{obj: [H, W] uint8 0/1}`` the masks given on this frame, at their own size.
        predicted: whether any object was predicted (not only given) on this frame.
        background: ``[h, w] float32`` background score of soft aggregation, or ``None``
            (the constant 0.5 of spec §7.5).
        merged: ``[h, w] uint8`` the ids merged at working size when the producer already
            merged them (``merge_scores(scores, background)``), or ``None``.
    """

    scores: dict
    given: dict
    predicted: bool
    background: np.ndarray = None
    merged: np.ndarray = None

    @classmethod
    def combined(cls, parts):
        """One frame's scores from ``parts`` holding disjoint objects (e.g. each object
        segmented with its own fine-tuned weights); merged as in spec §7.5 (background 0.5)."""
        return cls({obj: score for part in parts for obj, score in part.scores.items()},
                   {obj: mask for part in parts for obj, mask in part.given.items()},
                   any(part.predicted for part in parts))

    def index_mask(self, size):
        """``[H, W] uint8`` merged ids at ``size``. A frame where every object was given
        returns the given masks unchanged (nearest-resized), not their working-size copy."""
        size = tuple(size)
        if self.given and not self.predicted:
            given = {obj: mask.astype(np.float32) for obj, mask in self.given.items()}
            return resize_mask(merge_scores(given), size)
        if self.merged is not None:
            return resize_mask(self.merged, size)
        if self.scores:
            return resize_mask(merge_scores(self.scores, self.background), size)
        return np.zeros(size, np.uint8)

    def probabilities(self, size):
        """``{obj: [H, W] float32}`` in increasing id order, bilinear-resized to ``size``."""
        return {obj: resize_probability(self.scores[obj], tuple(size))
                for obj in sorted(self.scores)}
