"""Per-object scores into one index mask (spec §7.5): a constant background score and an
argmax, or soft aggregation first. Shared by the TensorFlow inference core
(``osmnseg.apis.inference``) and the TensorFlow-free runtime (``osmnseg.runtime``).
"""
import numpy as np

BACKGROUND_SCORE = 0.5
_ODDS_EPSILON = 1e-5  # probabilities are clipped to [eps, 1 - eps] before taking log-odds


def merge_scores(scores, background=None):
    """Merge per-object probabilities into one index mask (spec §7.5).

    Stacks the background score (a constant 0.5 unless given) with the objects' scores in
    increasing id order and takes the argmax, so a pixel goes to the most probable object if
    that exceeds the background, ties going to the background, then to the lower id.

    Args:
        scores: ``{obj_id (int >= 1): [h, w] float32}``.
        background: ``[h, w] float32`` background score (:func:`soft_aggregate`), or ``None``.

    Returns:
        ``[h, w] uint8`` object ids.
    """
    objects = sorted(scores)
    best = (np.full_like(scores[objects[0]], BACKGROUND_SCORE) if background is None
            else background)
    ids = np.zeros(best.shape, np.uint8)
    for obj in objects:  # a strictly higher score wins: ties stay with the earlier entry
        higher = scores[obj] > best
        ids[higher] = obj
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
