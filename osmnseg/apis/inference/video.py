"""``VideoSegmenter``: a whole video (frames and first-frame annotations) through the core.

The protocol is the original one (spec §7.2): per object, the visual parameters are computed
once from its first annotated frame; each later frame is segmented with the spatial guide built
from the object's previous prediction (binary, threshold 0.5, at working resolution; no
perturbation). Frames are streamed: nothing but the current frame and the core's state is held.
"""
import dataclasses

import numpy as np

from osmnseg.apis.inference.core import InferenceCore
from osmnseg.apis.inference.finetuned import finetuned_frame_scores
from osmnseg.apis.inference.reader import AnnotationReader, read_frame
from osmnseg.apis.inference.settings import InferenceSettings


@dataclasses.dataclass
class FrameResult:
    """The output for one frame.

    Attributes:
        index: position of the frame in the video.
        mask: ``[H0, W0] uint8`` merged object ids at the output size (default: the frame's).
        probabilities: ``{obj_id: [H0, W0] float32}`` when requested (objects being segmented
            at this frame; an object's own first frame gives its ground truth as 0/1).
    """

    index: int
    mask: np.ndarray
    probabilities: dict = None


class VideoSegmenter:
    """Segment videos with an OSMN model.

    Args:
        model: OSMN module (weights loaded, compute dtype set).
        settings: :class:`InferenceSettings`.
        finetuner: an :class:`~osmnseg.apis.online_finetune.OnlineFinetuner` to fine-tune a copy
            of the weights on each object's first frame before segmenting it (``None``: off).
    """

    def __init__(self, model, settings=None, finetuner=None):
        self.model = model
        self.settings = settings or InferenceSettings()
        self.finetuner = finetuner

    def segment(self, frames, annotations, object_ids=None, first_frame=None,
                return_probabilities=False, output_size=None):
        """Segment a video frame by frame.

        Args:
            frames: iterable of ``[H, W, 3] uint8`` RGB frames or image paths (streamed); with
                a finetuner it must be a sequence (it is read once per object).
            annotations: ``{frame index: [H, W] integer index mask or PNG path}``; must hold
                every object's first annotated frame (later entries are not used).
            object_ids: ids to segment; default: the non-zero ids of frame 0's annotation.
                ``None`` inside the list means "every non-zero pixel" (single-object sets).
            first_frame: ``{obj_id: frame index}`` where each object is first annotated
                (default 0 for all).
            return_probabilities: add per-object probability maps to the results.
            output_size: ``(H, W)`` of the returned masks (e.g. the annotation size); default:
                each frame's own size.

        Yields:
            :class:`FrameResult` per frame, in order.
        """
        annotation = AnnotationReader(annotations)
        if object_ids is None:
            object_ids = [int(i) for i in np.unique(annotation(0)) if i != 0]
        object_ids = list(object_ids)
        first_frame = dict(first_frame or {obj: 0 for obj in object_ids})
        if self.finetuner is None:
            steps = self._frame_scores(frames, annotation, object_ids, first_frame)
        else:
            steps = finetuned_frame_scores(self.finetuner, self.settings, list(frames),
                                           annotation, object_ids, first_frame)
        for index, size, scores in steps:
            size = output_size or size
            probabilities = scores.probabilities(size) if return_probabilities else None
            yield FrameResult(index, scores.index_mask(size), probabilities)

    def segment_sequence(self, sequence, return_probabilities=False):
        """Segment a data set's :class:`~osmnseg.datasets.VideoSequence` (frames streamed);
        masks come at the sequence's ``original_size``."""
        return self.segment(sequence.frame_paths, sequence.start_annotations,
                            list(sequence.object_ids), dict(sequence.first_frame),
                            return_probabilities, tuple(sequence.original_size))

    def _frame_scores(self, frames, annotation, object_ids, first_frame):
        """``(index, (H, W), FrameScores)`` per frame, all objects in one core."""
        core = InferenceCore(self.model, self.settings)
        for index, frame in enumerate(frames):
            frame = read_frame(frame)
            masks = annotation.first_masks(index, object_ids, first_frame)
            yield index, frame.shape[:2], core.propagate(frame, masks)
