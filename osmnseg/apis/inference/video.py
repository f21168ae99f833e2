"""``VideoSegmenter``: a whole video (frames and first-frame annotations) through the core.

The protocol is the original one (spec §7.2): per object, the visual parameters are computed
once from its first annotated frame; each later frame is segmented with the spatial guide built
from the object's previous prediction (binary, threshold 0.5, at working resolution; no
perturbation). Frames are streamed: nothing but the current frame and the core's state is held.
"""
import dataclasses
import time

import numpy as np

from osmnseg.apis.inference.core import InferenceCore, warm_up
from osmnseg.apis.inference.finetuned import finetuned_frame_scores
from osmnseg.apis.inference.pipeline import ReadAhead, StageTimes
from osmnseg.apis.inference.reader import AnnotationReader, read_frame
from osmnseg.apis.inference.settings import InferenceSettings
from osmnseg.io.masks import object_ids_in


@dataclasses.dataclass
class FrameResult:
    """The output for one frame.

    Attributes:
        index: position of the frame in the video.
        mask: ``[H0, W0] uint8`` merged object ids at the output size (default: the frame's).
        probabilities: ``{obj_id: [H0, W0] float32}`` when requested (objects being segmented
            at this frame; an object's own first frame gives its ground truth as 0/1).
        frame: the ``[H, W, 3] uint8`` RGB frame itself when requested (e.g. to draw the
            mask over it), else ``None``.
    """

    index: int
    mask: np.ndarray
    probabilities: dict = None
    frame: np.ndarray = None


class VideoSegmenter:
    """Segment videos with an OSMN model.

    Args:
        model: OSMN module (weights loaded, compute dtype set).
        settings: :class:`InferenceSettings`.
        finetuner: an :class:`~osmnseg.apis.online_finetune.OnlineFinetuner` to fine-tune a copy
            of the weights on each object's first frame before segmenting it (``None``: off).

    Attributes:
        times: :class:`~osmnseg.apis.inference.pipeline.StageTimes` of every video segmented
            so far without fine-tuning (frames decoded ahead in a thread: ``read``; the core's
            ``prepare`` / ``model`` / ``merge``, resizing the outputs included).
    """

    def __init__(self, model, settings=None, finetuner=None):
        self.model = model
        self.settings = settings or InferenceSettings()
        self.finetuner = finetuner
        # without fine-tuning the weights stay as they are: prepared once for every video
        self.prepared = None if finetuner is not None or model.inference_only \
            else model.prepare_for_inference()
        self.times = StageTimes()

    def warm_up(self):
        """Trace the prepared model's compiled calls before a video starts
        (:func:`~osmnseg.apis.inference.core.warm_up`); returns the seconds it took. With a
        finetuner the weights change per object: nothing to trace ahead (returns 0)."""
        return 0.0 if self.prepared is None else warm_up(self.prepared, self.settings)

    def segment(self, frames, annotations, object_ids=None, first_frame=None,
                return_probabilities=False, output_size=None, return_frames=False):
        """Segment a video frame by frame.

        Args:
            frames: iterable of ``[H, W, 3] uint8`` RGB frames or image paths (streamed); with
                a finetuner it must be a sequence (it is read once per object).
            annotations: ``{frame index: [H, W] integer index mask or PNG path}``; must hold
                every object's first annotated frame (later entries are not used); a mask of
                another size than its frame is nearest-resized to the frame.
            object_ids: ids (integers >= 1) to segment; default: the non-zero ids of frame
                0's annotation.
            first_frame: ``{obj_id: frame index}`` where each object is first annotated
                (default 0 for all).
            return_probabilities: add per-object probability maps to the results.
            output_size: ``(H, W)`` of the returned masks (e.g. the annotation size); default:
                each frame's own size.
            return_frames: add each frame (``FrameResult.frame``).

        Yields:
            :class:`FrameResult` per frame, in order.
        """
        annotation = AnnotationReader(annotations)
        if object_ids is None:
            object_ids = object_ids_in(annotation(0))
        object_ids = list(object_ids)
        first_frame = dict(first_frame or {obj: 0 for obj in object_ids})
        if self.finetuner is None:
            steps = self._frame_scores(frames, annotation, object_ids, first_frame)
        else:
            frames = list(frames)
            steps = ((index, output, None) for index, output in finetuned_frame_scores(
                self.finetuner, self.settings, frames, annotation, object_ids, first_frame))
        for index, output, frame in steps:
            start = time.perf_counter()
            size = output_size or output.size
            probabilities = (output.scores.probabilities(size) if return_probabilities
                             else None)
            if return_frames and frame is None:
                frame = read_frame(frames[index])
            result = FrameResult(index, output.scores.index_mask(size), probabilities,
                                 frame if return_frames else None)
            self.times.add('merge', time.perf_counter() - start)
            yield result

    def segment_sequence(self, sequence, return_probabilities=False):
        """Segment a data set's :class:`~osmnseg.datasets.VideoSequence` (frames streamed);
        masks come at the sequence's ``original_size``."""
        return self.segment(sequence.frame_paths, sequence.start_annotations,
                            list(sequence.object_ids), dict(sequence.first_frame),
                            return_probabilities, tuple(sequence.original_size))

    def _frame_scores(self, frames, annotation, object_ids, first_frame):
        """``(index, StepOutput, frame)`` per frame, all objects in one core, the next frames
        decoded ahead while the core runs."""
        core = InferenceCore(self.prepared or self.model, self.settings)
        try:
            with ReadAhead(frames, read_frame, times=self.times) as reader:
                for index, frame in enumerate(reader):
                    masks = annotation.first_masks(index, object_ids, first_frame,
                                                   frame.shape[:2])
                    yield index, core.step(frame, masks), frame
        finally:
            self.times.merge(core.times)
