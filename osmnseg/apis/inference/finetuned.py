"""Online fine-tuning driver: fine-tune on an object's first frame, then run the core.

With online fine-tuning (spec §5.5, last column) every object has its own weights, so objects
are segmented one after the other, each by a fresh :class:`InferenceCore` inside the
finetuner's context (frames re-read from disk); their probability maps are parked in a
temporary folder as ``.npy`` and merged at the end, so memory stays flat.
"""
import os
import tempfile

import numpy as np

from osmnseg.apis.inference.core import InferenceCore
from osmnseg.apis.inference.merge import FrameScores
from osmnseg.apis.inference.reader import frame_size, read_frame
from osmnseg.io.masks import resize_mask


def finetuned_frame_scores(finetuner, settings, frames, annotation, object_ids, first_frame):
    """Per-frame scores of a video, each object segmented with its own fine-tuned weights.

    Args:
        finetuner: :class:`~osmnseg.apis.online_finetune.OnlineFinetuner` (holds the model).
        settings: :class:`~osmnseg.apis.inference.settings.InferenceSettings`.
        frames: sequence of ``[H, W, 3] uint8`` frames or image paths (read once per object).
        annotation: :class:`~osmnseg.apis.inference.reader.AnnotationReader`.
        object_ids: the objects to segment.
        first_frame: ``{obj: frame index}`` where each object is first annotated.

    Yields:
        ``(index, (H, W) frame size, FrameScores)`` per frame, in order.
    """
    with tempfile.TemporaryDirectory(prefix='osmnseg_online_') as folder:
        for position, obj in enumerate(object_ids):
            start = first_frame.get(obj, 0)
            for index, scores in _segment_finetuned(finetuner, settings, frames, annotation,
                                                    obj, start):
                if scores.predicted:
                    np.save(_score_path(folder, position, index), scores.scores[obj])
        for index, frame in enumerate(frames):
            size = frame_size(frame)
            given = annotation.first_masks(index, object_ids, first_frame)
            scores = {obj: np.load(_score_path(folder, position, index))
                      for position, obj in enumerate(object_ids)
                      if first_frame.get(obj, 0) < index}
            predicted = bool(scores)
            work_size = settings.working_size(size)
            scores.update({obj: resize_mask(mask, work_size).astype(np.float32)
                           for obj, mask in given.items()})
            yield index, size, FrameScores(scores, given, predicted)


def _segment_finetuned(finetuner, settings, frames, annotation, obj, start):
    """``(index, FrameScores)`` of ``obj`` from its first frame ``start`` on, segmented with
    weights fine-tuned on that frame."""
    first = read_frame(frames[start])
    mask = annotation.first_masks(start, [obj], {obj: start})[obj]
    with finetuner.finetuned(first, resize_mask(mask, first.shape[:2]),
                             settings.working_size(first.shape[:2])):
        core = InferenceCore(finetuner.model, settings)
        yield start, core.propagate(first, {obj: mask})
        for index in range(start + 1, len(frames)):
            yield index, core.propagate(read_frame(frames[index]))


def _score_path(folder, position, index):
    return os.path.join(folder, f'{position}_{index}.npy')
