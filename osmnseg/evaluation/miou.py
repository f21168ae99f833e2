"""The original OSMN mIoU scores (spec §8.1 ``davis_eval.py``, §8.2 ``youtube_eval.py``).

These are the scores behind the OSMN README (DAVIS 2016 val 72.2 / 74.0, DAVIS 2017 val 52.5)
and the paper's YouTube-Objects 69.0. Both score the IoU of each frame (an empty union
counts 1) and average it per object (DAVIS 2017) or per sequence (DAVIS 2016, YouTube-Objects),
then over those. Unlike the official J, a prediction whose size differs from the ground truth is
resized to it with nearest neighbour, and ids beyond the ground truth are ignored. They are read
from merged palette/index PNGs (the original merged per-object ``.npy`` scores itself with the
0.5-background argmax of spec §7.5, the rule the osmnseg segmenter applies before writing PNGs).
"""
import os

import numpy as np

from osmnseg.evaluation.davis_eval import iter_scored_frames, read_split
from osmnseg.evaluation.metrics import db_eval_iou
from osmnseg.io.masks import resize_mask
from osmnseg.io.palette import load_index_png
from osmnseg.utils.errors import DataError


def frame_ious(gt, pred, object_ids):
    """IoU of each object in one frame; ``pred`` is first resized to ``gt``'s size.

    Args:
        gt: ``[H, W]`` integer object-id mask.
        pred: ``[h, w]`` integer object-id mask.
        object_ids: ids to score.

    Returns:
        ``{object_id: float}``, 1 where the object is absent from both.
    """
    pred = resize_mask(pred, np.shape(gt))
    return {k: db_eval_iou(np.asarray(gt) == k, pred == k) for k in object_ids}


def sequence_miou(frames, object_ids):
    """Mean IoU per object over the given frames.

    Args:
        frames: iterable of ``(gt [H, W], pred [h, w], ...)`` tuples (extra items ignored).
        object_ids: ids to score.

    Returns:
        ``{object_id: float}``.
    """
    per_frame = [frame_ious(frame[0], frame[1], object_ids) for frame in frames]
    if not per_frame:
        raise ValueError('sequence_miou needs at least one frame')
    return {k: float(np.mean([ious[k] for ious in per_frame])) for k in object_ids}


def davis_sequence_miou(gt_masks, pred_masks, object_ids, year=2017):
    """§8.1 mIoU entries of one sequence held in memory, first and last frame excluded.

    Args:
        gt_masks: ``[T, H, W]`` integer ground truth (T >= 3).
        pred_masks: ``[T, h, w]`` integer merged predictions.
        object_ids: object ids (2017); ignored for 2016, which scores ``> 0`` of both as one.
        year: 2017 or 2016.

    Returns:
        ``{object_id: float}`` (``{1: float}`` for 2016).
    """
    if int(year) == 2016:
        gt_masks = [_binary(m) for m in gt_masks]
        pred_masks = [_binary(m) for m in pred_masks]
        object_ids = [1]
    return sequence_miou(list(zip(gt_masks, pred_masks))[1:-1], object_ids)


def davis_miou(davis_root, results_dir, year=2017, split='val', resolution='480p',
               sequences=None):
    """§8.1 mIoU of a DAVIS result folder.

    Args:
        davis_root: DAVIS folder with ``ImageSets/`` and ``Annotations/``.
        results_dir: ``<sequence>/<frame>.png`` index PNGs (merged objects).
        year: 2017 (mean over objects) or 2016 (ground truth ``Annotations > 0``, mean over
            sequences).
        split: ImageSets list name.
        resolution: annotation resolution folder.
        sequences: optional subset of sequence names.

    Returns:
        ``(miou, {entry: miou})`` fractions; entries are ``<sequence>_<id>`` (2017) or
        ``<sequence>`` (2016).
    """
    names = read_split(davis_root, year, split) if sequences is None else list(sequences)
    entries = {}
    for sequence in names:
        object_ids, frames = iter_scored_frames(davis_root, results_dir, sequence, year, resolution)
        for k, value in sequence_miou(frames, object_ids).items():
            entries[sequence if int(year) == 2016 else f'{sequence}_{k}'] = value
    return _mean_of_entries(entries), entries


def youtube_objects_miou(data_root, results_dir):
    """§8.2 YouTube-Objects mIoU: every labelled frame but the first, mean per sequence, then over
    sequences.

    Args:
        data_root: preprocessed YouTube-Objects folder with ``all.txt`` and
            ``Labels/<sequence>/<frame>.<ext>`` (0/255 masks, binarised ``> 127``).
        results_dir: ``<sequence>/<frame stem>.png`` masks (binarised ``> 0``); looking results up
            by stem reconciles the original's label/result extension mismatch (spec §12, 18).

    Returns:
        ``(miou, {sequence: miou})``; sequences with fewer than 2 labelled frames are skipped.
    """
    list_path = os.path.join(data_root, 'all.txt')
    if not os.path.isfile(list_path):
        raise DataError(f'{list_path} does not exist; run the YouTube-Objects preprocessing or '
                        'point DATA_ROOT at its output.')
    with open(list_path) as f:
        names = [line.strip() for line in f if line.strip()]
    entries = {}
    for sequence in names:
        label_dir = os.path.join(data_root, 'Labels', sequence)
        labels = sorted(os.listdir(label_dir)) if os.path.isdir(label_dir) else []
        if len(labels) < 2:
            continue
        frames = (_youtube_objects_frame(label_dir, label, results_dir, sequence)
                  for label in labels[1:])
        entries[sequence] = sequence_miou(frames, [1])[1]
    return _mean_of_entries(entries), entries


def _youtube_objects_frame(label_dir, label, results_dir, sequence):
    """``(gt [H, W], pred [h, w])`` 0/1 masks of one labelled YouTube-Objects frame."""
    pred_path = os.path.join(results_dir, sequence, os.path.splitext(label)[0] + '.png')
    if not os.path.isfile(pred_path):
        raise DataError(f'{pred_path} is missing; YouTube-Objects scoring needs a result PNG for '
                        f'every labelled frame of {sequence} but the first.')
    gt = load_index_png(os.path.join(label_dir, label)) > 127
    return _binary(gt), _binary(load_index_png(pred_path))


def _binary(mask):
    """``[H, W] uint8``: 1 where ``mask`` is non-zero."""
    return (np.asarray(mask) != 0).astype(np.uint8)


def _mean_of_entries(entries):
    if not entries:
        raise DataError('no sequence could be scored; check the data root and the sequence list.')
    return float(np.mean(list(entries.values())))
