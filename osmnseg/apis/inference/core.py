"""``InferenceCore``: one frame in, that frame's merged mask and probabilities out.

The core holds only what the next frame needs: each object's visual parameters (encoded once
from a frame and its mask) and its previous binary mask at working size (the source of the next
spatial guide; kept in memory instead of the original's PNG round trip, spec quirk 10). Each
step segments the known objects as one batch in one compiled call (``model.segment`` of the
frame and K guides): the layers no modulator touches run once for the frame, the modulated rest
once per object.
Objects are merged with a constant 0.5 background score and an argmax, ties going to the lower
id (spec §7.5). :meth:`InferenceCore.step` is the one entry: every caller (data set testing,
video inference, the web app, online fine-tuning, the benchmark) passes frames and masks through
its checks. The core has no file paths: readers, writers and the online fine-tuning driver
live in their own modules around it.
"""
import contextlib
import dataclasses
import functools
import time

import numpy as np
import tensorflow as tf

from osmnseg.apis.inference.frame_tensor import FrameTensor
from osmnseg.apis.inference.memory import ObjectMemory
from osmnseg.apis.inference.merge import FrameScores, merge_scores, soft_aggregate
from osmnseg.apis.inference.pipeline import StageTimes
from osmnseg.apis.inference.settings import InferenceSettings
from osmnseg.datasets.pipelines.inference_inputs import spatial_guide_inputs, visual_guide_input
from osmnseg.io.masks import checked_object_mask, resize_mask
from osmnseg.models.modulators.matching import MatchingMemory
from osmnseg.utils.errors import DataError


@dataclasses.dataclass(frozen=True)
class StepOutput:
    """What :meth:`InferenceCore.step` returns for one frame.

    Attributes:
        scores: the frame's :class:`~osmnseg.apis.inference.merge.FrameScores` (working size).
        size: ``(H, W)`` of the frame.
    """

    scores: FrameScores
    size: tuple

    @functools.cached_property
    def index_mask(self):
        """``[H, W] uint8`` merged object ids (0 = background) at the frame's size."""
        return self.scores.index_mask(self.size)

    @functools.cached_property
    def probabilities(self):
        """``{obj_id: [H, W] float32}`` in ``[0, 1]``, one per object segmented or given on
        this frame (a given mask is 0/1), at the frame's size."""
        return self.scores.probabilities(self.size)


class InferenceCore:
    """Propagate object masks through a video, one frame per :meth:`step`.

    Args:
        model: an OSMN model prepared for inference (``model.prepare_for_inference()``), or a
            trained one (weights loaded, compute dtype set), which is prepared here once.
        settings: :class:`~osmnseg.apis.inference.settings.InferenceSettings`.

    Attributes:
        times: :class:`~osmnseg.apis.inference.pipeline.StageTimes` of the steps so far
            (``prepare``: network inputs; ``model``: the compiled calls; ``merge``: merging
            and the next frame's masks).
    """

    def __init__(self, model, settings):
        self.model = model if model.inference_only else model.prepare_for_inference()
        self.settings = settings
        self.frame_tensor = FrameTensor.shared(settings.normalize)
        self.times = StageTimes()
        self.memory = ObjectMemory()

    @classmethod
    def from_config(cls, model, cfg):
        """A core with the settings of ``cfg``'s test pipeline and ``test_cfg``."""
        return cls(model, InferenceSettings.from_config(cfg))

    @property
    def object_ids(self):
        """The ids of the known objects, increasing."""
        return sorted(self.memory.objects)

    def reset(self):
        """Forget every object."""
        self.memory = ObjectMemory()

    def remove_object(self, obj_id):
        """Forget one object.

        Raises:
            DataError: ``obj_id`` is not a known object.
        """
        if obj_id not in self.memory:
            raise DataError(f'object {obj_id} is not being segmented (known: '
                            f'{self.object_ids}); pass one of those ids.')
        self.memory.remove(obj_id)

    def step(self, frame, masks=None, reencode=False):
        """Segment one frame.

        Args:
            frame: ``[H, W, 3] uint8`` RGB, any size; it is processed at the settings' working
                size and the outputs come back at ``H x W``.
            masks: ``None`` or ``{obj_id (int >= 1): [H, W] bool/uint8 mask}`` for this frame.
                A new id starts an object (its visual guide is encoded from this frame and
                mask); a known id is a correction: the mask replaces the prediction on this
                frame and becomes the next frame's spatial guide. Objects not in ``masks`` are
                predicted as usual.
            reencode: also re-encode the visual guide of corrected objects from this frame.

        Returns:
            :class:`StepOutput`.

        Raises:
            DataError: the frame is not ``[H, W, 3] uint8``, an id is not an integer >= 1, a
                mask's size differs from the frame's, or a new object's mask is empty.
        """
        frame = _checked_frame(frame)
        size = frame.shape[:2]
        masks = {_checked_id(obj): checked_object_mask(obj, mask, size)
                 for obj, mask in (masks or {}).items()}
        output = StepOutput(self._propagate(frame, masks, reencode), size)
        self.times.frames += 1
        return output

    def _propagate(self, frame, masks, reencode):
        """:meth:`step`'s :class:`~osmnseg.apis.inference.merge.FrameScores` of a checked
        frame and checked ``{obj: [H, W] uint8 0/1}`` masks."""
        work_size = self.settings.working_size(frame.shape[:2])
        predicted = [obj for obj in self.memory.objects if obj not in masks]
        with self._stage('prepare'):
            image = (self.frame_tensor(frame, work_size)
                     if predicted or self.matching else None)
        scores, embedding = self._predict(image, work_size, predicted)
        for obj, mask in masks.items():
            work_mask = resize_mask(mask, work_size)
            if obj not in self.memory or reencode:
                with self._stage('model'):
                    if self.matching and embedding is None:
                        embedding = self.model.embed(image)
                    self.memory.set_params(obj, self._encode(frame, obj, mask),
                                           self._reference(embedding, work_mask))
            self.memory.masks[obj] = work_mask
            scores[obj] = work_mask.astype(np.float32)
        if self.matching:
            with self._stage('model'):
                self.memory.prev_embedding = (self.model.embed(image) if embedding is None
                                              else embedding)
        with self._stage('merge'):
            background = merged = None
            if self.settings.merge == 'soft' and scores:
                background, scores = soft_aggregate(scores)
                merged = merge_scores(scores, background)
            self._keep_next_masks(scores, merged, predicted)
        return FrameScores(scores, dict(masks), bool(predicted), background, merged)

    @contextlib.contextmanager
    def _stage(self, stage):
        """Add the block's time to ``times`` under ``stage``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times.add(stage, time.perf_counter() - start)

    @property
    def matching(self):
        """Whether the model matches frames (it has a matching modulator)."""
        return self.model.matching_modulator is not None

    def _encode(self, frame, obj, mask):
        """Visual parameters of ``obj`` from ``frame`` and its ``mask`` (``{}`` for a model
        without visual modulator)."""
        if not mask.any():
            raise DataError(f'the mask given for object {obj} is empty; an object is encoded '
                            'from at least one pixel of it.')
        if self.model.visual_modulator is None:
            return {}
        guide = visual_guide_input(frame, mask, self.settings)
        return self.model.encode_guide(tf.constant(guide))

    def _reference(self, embedding, work_mask):
        """A matching model's ``(embedding, mask)`` reference of an object (``None`` for
        other models)."""
        if not self.matching:
            return None
        return embedding, tf.constant(work_mask[None, ..., None], tf.float32)

    def _predict(self, image, work_size, objects):
        """Probabilities ``{obj: [h, w] float32}`` at working size of ``objects`` (one batch)
        and, for a matching model, the frame's embeddings (``None`` when nothing was
        predicted)."""
        if not objects:
            return {}, None
        with self._stage('prepare'):
            params = self.memory.stacked_params(objects)
            spatial = memory = None
            if self.model.spatial_modulator is not None or self.model.guide_as_input:
                spatial = tf.constant(spatial_guide_inputs(
                    [resize_mask(self.memory.masks[obj], work_size) for obj in objects],
                    self.settings))
            if self.matching:
                ref_embedding, ref_mask = self.memory.stacked_references(objects)
                prev_mask = np.stack([self.memory.masks[obj] for obj in objects])[..., None]
                memory = MatchingMemory(ref_embedding, ref_mask, self.memory.prev_embedding,
                                        tf.constant(prev_mask, tf.float32))
        with self._stage('model'):
            embedding = None
            if self.matching:
                outputs = self.model.track(image, params, memory, spatial)
                logits, embedding = outputs['logits'], outputs['embedding']
            else:
                logits = self.model.segment(image, spatial, params)
            probabilities = tf.sigmoid(logits)[..., 0].numpy()
        return dict(zip(objects, probabilities)), embedding

    def _keep_next_masks(self, scores, merged, predicted):
        """Each predicted object's mask for the next frame: its thresholded probability, or
        with soft merging its region of the ``merged`` ids (objects never share a pixel)."""
        for obj in predicted:
            mask = (scores[obj] > self.settings.threshold if merged is None
                    else merged == obj)
            self.memory.masks[obj] = mask.astype(np.uint8)


def warm_up(model, settings, frame_size=(64, 64)):
    """Trace the compiled calls of the frame loop before a video starts; returns the seconds
    it took.

    Two blank frames of ``frame_size`` with one object go through an :class:`InferenceCore`
    (the first frame encodes the object, the second is predicted), so every compiled call is
    traced (about 1 s for a matching model on 2 cores). The traces hold for any frame size and
    number of objects (their signatures leave those sizes open), so a video's first frame then
    costs about what the others do. Nothing is kept but the traces.

    Args:
        model: as for :class:`InferenceCore`.
        settings: :class:`~osmnseg.apis.inference.settings.InferenceSettings`.
        frame_size: ``(H, W)`` of the blank frames (a typical frame also readies the
            kernels of its working size).
    """
    start = time.perf_counter()
    frame = np.zeros(tuple(frame_size) + (3,), np.uint8)
    mask = np.zeros(frame_size, np.uint8)
    mask[frame_size[0] // 4:frame_size[0] // 2, frame_size[1] // 4:frame_size[1] // 2] = 1
    core = InferenceCore(model, settings)
    core.step(frame, {1: mask})
    core.step(frame)
    return time.perf_counter() - start


def _checked_frame(frame):
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[-1] != 3 or frame.dtype != np.uint8:
        raise DataError(f'a frame must be an [H, W, 3] uint8 RGB array, got shape '
                        f'{list(frame.shape)} and dtype {frame.dtype}; convert it first.')
    return frame


def _checked_id(obj):
    if isinstance(obj, (bool, np.bool_)) or not isinstance(obj, (int, np.integer)) or obj < 1:
        raise DataError(f'object ids are integers >= 1 (0 is the background), got {obj!r}; '
                        'renumber the object.')
    return int(obj)
