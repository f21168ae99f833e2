"""Merging per-object scores into one index mask (spec §7.5) and resizing outputs."""
import dataclasses

import numpy as np
import tensorflow as tf

from osmnseg.io.masks import resize_mask

BACKGROUND_SCORE = 0.5


def merge_scores(scores):
    """Merge per-object probabilities into one index mask (spec §7.5).

    Stacks a constant 0.5 background score with the objects' scores in increasing id order and
    takes the argmax, so a pixel goes to the most probable object if that exceeds 0.5, ties
    going to the background, then to the lower id.

    Args:
        scores: ``{obj_id: [h, w] float32}`` (``None`` = a single object written as id 1).

    Returns:
        ``[h, w] uint8`` object ids.
    """
    objects = sorted(scores, key=id_value)
    stacked = np.stack([np.full_like(scores[objects[0]], BACKGROUND_SCORE)] +
                       [scores[obj] for obj in objects])
    ids = np.asarray([0] + [id_value(obj) for obj in objects], np.uint8)
    return ids[np.argmax(stacked, axis=0)]


def resize_probability(probability, size):
    """Bilinear resize of an ``[h, w] float32`` probability map to ``size = (H, W)``."""
    if probability.shape == tuple(size):
        return probability
    return tf.image.resize(probability[..., None], size)[..., 0].numpy()


def id_value(obj):
    """The palette id an object is written with (``None``, a single object, is 1)."""
    return 1 if obj is None else int(obj)


@dataclasses.dataclass(frozen=True)
class FrameScores:
    """One frame's per-object scores before merging.

    Attributes:
        scores: ``{obj: [h, w] float32}`` at working size: predicted probabilities, and 0/1
            for the objects whose mask was given on this frame.
        given: ``{obj: [H, W] uint8 0/1}`` the masks given on this frame, at their own size.
        predicted: whether any object was predicted (not only given) on this frame.
    """

    scores: dict
    given: dict
    predicted: bool

    def index_mask(self, size):
        """``[H, W] uint8`` merged ids at ``size``. A frame where every object was given
        returns the given masks unchanged (nearest-resized), not their working-size copy."""
        size = tuple(size)
        if self.given and not self.predicted:
            given = {obj: mask.astype(np.float32) for obj, mask in self.given.items()}
            return resize_mask(merge_scores(given), size)
        if self.scores:
            return resize_mask(merge_scores(self.scores), size)
        return np.zeros(size, np.uint8)

    def probabilities(self, size):
        """``{obj: [H, W] float32}`` in increasing id order, bilinear-resized to ``size``."""
        return {obj: resize_probability(self.scores[obj], tuple(size))
                for obj in sorted(self.scores, key=id_value)}
