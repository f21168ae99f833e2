"""Merging per-object scores into one index mask (spec §7.5) and resizing outputs."""
import dataclasses

import numpy as np
import tensorflow as tf

from osmnseg.io.masks import resize_mask

BACKGROUND_SCORE = 0.5


MERGE_MODES = ('argmax', 'soft')
_ODDS_EPSILON = 1e-5  # probabilities are clipped to [eps, 1 - eps] before taking log-odds


def merge_scores(scores, background=None):
    """Merge per-object probabilities into one index mask (spec §7.5).

    Stacks the background score (a constant 0.5 unless given) with the objects' scores in
    increasing id order and takes the argmax, so a pixel goes to the most probable object if
    that exceeds the background, ties going to the background, then to the lower id.

    Args:
        scores: ``{obj_id: [h, w] float32}`` (``None`` = a single object written as id 1).
        background: ``[h, w] float32`` background score (:func:`soft_aggregate`), or ``None``.

    Returns:
        ``[h, w] uint8`` object ids.
    """
    objects = sorted(scores, key=id_value)
    best = (np.full_like(scores[objects[0]], BACKGROUND_SCORE) if background is None
            else background)
    ids = np.zeros(best.shape, np.uint8)
    for obj in objects:  # a strictly higher score wins: ties stay with the earlier entry
        higher = scores[obj] > best
        ids[higher] = id_value(obj)
        best = np.where(higher, scores[obj], best)
    return ids


def soft_aggregate(scores):
    """Soft aggregation of K objects' independent probabilities (RGMP, FEELVOS): the
    background is the product of the objects' complements, and the K + 1 log-odds go through
    a softmax, so the returned scores sum to 1 per pixel. One object keeps its probability,
    the background its complement (the same mask either way).

    Args:
        scores: ``{obj: [h, w] float32}`` probabilities.

    Returns:
        ``(background [h, w] float32, {obj: [h, w] float32})``.
    """
    objects = list(scores)
    if len(objects) == 1:
        return 1 - scores[objects[0]], dict(scores)
    probabilities = np.clip(np.stack([scores[obj] for obj in objects]), _ODDS_EPSILON,
                            1 - _ODDS_EPSILON).astype(np.float32)
    background = np.clip(np.prod(1 - probabilities, axis=0, keepdims=True), _ODDS_EPSILON,
                         1 - _ODDS_EPSILON)
    stacked = np.concatenate([background, probabilities])
    logits = np.log(stacked) - np.log1p(-stacked)
    logits -= logits.max(axis=0, keepdims=True)
    odds = np.exp(logits)
    aggregated = odds / odds.sum(axis=0, keepdims=True)
    return aggregated[0], dict(zip(objects, aggregated[1:]))


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
                for obj in sorted(self.scores, key=id_value)}
