"""Mask agreement between two compute dtypes (e.g. bfloat16 against float32) on a data set.

Both models load the same checkpoint and run the full video protocol
(:class:`~osmnseg.apis.VideoSegmenter`) on every sequence of a split; each predicted frame
scores the mean over objects of the Jaccard index between the two dtypes' masks.
"""
import numpy as np

from osmnseg.evaluation import db_eval_iou


def frame_agreement(mask_a, mask_b, object_ids):
    """Mean over ``object_ids`` of J between the two ``[H, W]`` index masks (1 if both lack it)."""
    return float(np.mean([db_eval_iou(mask_a == obj, mask_b == obj) for obj in object_ids]))


def _masks(segmenter, sequence):
    return [result.mask for result in segmenter.segment_sequence(sequence)]


def mask_agreement(cfg, checkpoint, dtype, reference_dtype='float32', split='val',
                   device='cpu'):
    """Per-frame J between ``dtype`` and ``reference_dtype`` masks on ``cfg.data[split]``.

    Frames up to each sequence's first annotated frame (ground truth in both) are skipped.

    Returns:
        dict ``agreement_j_min``, ``agreement_j_mean``, ``agreement_frames``,
        ``agreement_fraction_ge_098`` (share of frames with J >= 0.98) and the two dtypes.
    """
    from osmnseg.apis import InferenceSettings, VideoSegmenter, init_segmentor
    from osmnseg.datasets import build_dataset

    dataset = build_dataset(dict(cfg.data[split], test_mode=True), key=f'data.{split}')
    settings = InferenceSettings.from_config(cfg)
    segmenters = [VideoSegmenter(init_segmentor(cfg, checkpoint, device, dtype=d), settings)
                  for d in (reference_dtype, dtype)]
    scores = []
    for sequence in dataset.sequences():
        start = min(sequence.first_frame.values())
        reference, other = (_masks(s, sequence) for s in segmenters)
        ids = [1 if obj is None else int(obj) for obj in sequence.object_ids]
        scores.extend(frame_agreement(a, b, ids) for a, b in zip(reference[start + 1:],
                                                                  other[start + 1:]))
    scores = np.asarray(scores)
    return dict(mode='agreement', dtype=dtype, reference_dtype=reference_dtype,
                agreement_frames=int(scores.size), agreement_j_min=float(scores.min()),
                agreement_j_mean=float(scores.mean()),
                agreement_fraction_ge_098=float(np.mean(scores >= 0.98)))
