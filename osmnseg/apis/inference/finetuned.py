"""Online fine-tuning driver: fine-tune on an object's first frame, then run the core.

With online fine-tuning (spec §5.5, last column) every object has its own weights, so objects
are segmented one after the other, each by a fresh :class:`InferenceCore` (through its checked
``step``) on the model prepared inside the finetuner's context (frames re-read from disk). Each
object's per-frame scores are parked in a temporary folder and the objects' scores of a frame
are combined at the end (:meth:`FrameScores.combined`), so memory stays flat.
"""
import os
import tempfile

import numpy as np

from osmnseg.apis.inference.core import InferenceCore, StepOutput
from osmnseg.apis.inference.merge import FrameScores
from osmnseg.apis.inference.reader import frame_size, read_frame


def finetuned_frame_scores(finetuner, settings, frames, annotation, object_ids, first_frame):
    """Per-frame outputs of a video, each object segmented with its own fine-tuned weights.

    Args:
        finetuner: :class:`~osmnseg.apis.online_finetune.OnlineFinetuner` (holds the model).
        settings: :class:`~osmnseg.apis.inference.settings.InferenceSettings`.
        frames: sequence of ``[H, W, 3] uint8`` frames or image paths (read once per object).
        annotation: :class:`~osmnseg.apis.inference.reader.AnnotationReader`.
        object_ids: the objects to segment (integers >= 1).
        first_frame: ``{obj: frame index}`` where each object is first annotated.

    Yields:
        ``(index, StepOutput)`` per frame, in order: the objects' scores combined and merged
        with the constant background of spec §7.5.
    """
    with tempfile.TemporaryDirectory(prefix='osmnseg_online_') as folder:
        for position, obj in enumerate(object_ids):
            for index, output in _segment_finetuned(finetuner, settings, frames, annotation,
                                                    obj, first_frame.get(obj, 0)):
                _save_scores(_score_path(folder, position, index), obj, output.scores)
        for index, frame in enumerate(frames):
            parts = [_load_scores(_score_path(folder, position, index), obj)
                     for position, obj in enumerate(object_ids)
                     if first_frame.get(obj, 0) <= index]
            yield index, StepOutput(FrameScores.combined(parts), frame_size(frame))


def _segment_finetuned(finetuner, settings, frames, annotation, obj, start):
    """``(index, StepOutput)`` of ``obj`` alone from its first frame ``start`` on, segmented
    with weights fine-tuned on that frame."""
    first = read_frame(frames[start])
    mask = annotation.first_masks(start, [obj], {obj: start}, first.shape[:2])[obj]
    with finetuner.finetuned(first, mask, settings.working_size(first.shape[:2])) as model:
        core = InferenceCore(model.prepare_for_inference(), settings)
        yield start, core.step(first, {obj: mask})
        for index in range(start + 1, len(frames)):
            yield index, core.step(read_frame(frames[index]))


def _save_scores(path, obj, scores):
    """One object's scores of one frame as ``.npz`` (its probability, and its given mask on
    the frame it was given)."""
    given = {'given': scores.given[obj]} if obj in scores.given else {}
    np.savez(path, score=scores.scores[obj], predicted=scores.predicted, **given)


def _load_scores(path, obj):
    with np.load(path, allow_pickle=False) as saved:
        given = {obj: saved['given']} if 'given' in saved else {}
        return FrameScores({obj: saved['score']}, given, bool(saved['predicted']))


def _score_path(folder, position, index):
    return os.path.join(folder, f'{position}_{index}.npz')
