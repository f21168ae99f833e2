"""``RuntimeCore``: one frame in, its index mask out, with exported graphs and numpy only.

The same loop as ``osmnseg.apis.InferenceCore`` (spec §7): each known object keeps its visual
parameters (or, for a matching model, its annotated frame's embeddings and mask) and its last
mask at working size; every frame is resized to the export's working size, the objects are
segmented as one batch, merged (a constant 0.5 background and an argmax, or soft aggregation)
and the ids nearest-resized back to the frame's size.
"""
import numpy as np

from osmnseg.io.masks import checked_object_mask, resize_mask
from osmnseg.io.scores import merge_scores, soft_aggregate
from osmnseg.datasets.pipelines.inference_inputs import (frame_input, spatial_guide_inputs,
                                                         visual_guide_input)
from osmnseg.utils.errors import DataError


class RuntimeCore:
    """Propagate object masks through a video with an :class:`ExportedModel`.

    Its memory does not grow with the video: per object the visual parameters or the annotated
    frame's embeddings and mask, and its last mask; for a matching model one previous frame's
    embeddings.
    """

    def __init__(self, model):
        self.model = model
        self.settings = model.settings
        self.params = {}  # obj -> {name: [1, C]}, in the order objects came
        self.references = {}  # obj -> (embedding [1, h, w, D], mask [1, H, W, 1] float32)
        self.masks = {}  # obj -> [H, W] uint8 0/1 at working size
        self.prev_embedding = None

    def step(self, frame, masks=None):
        """Segment one frame.

        Args:
            frame: ``[h, w, 3] uint8`` RGB, any size (processed at the working size).
            masks: ``None`` or ``{obj_id (int >= 1): [h, w] mask}`` given on this frame: a new
                id starts an object, a known id replaces its prediction on this frame.

        Returns:
            ``[h, w] uint8`` object ids (0 = background).

        Raises:
            DataError: an id is not in 1..255, a mask's size differs from the frame's, or a new
                object's mask is empty.
        """
        masks = {_checked_id(obj): checked_object_mask(obj, mask, frame.shape[:2])
                 for obj, mask in (masks or {}).items()}
        predicted = [obj for obj in self.params if obj not in masks]
        image = frame_input(frame, self.settings.size, self.settings) if predicted or self.model.matching else None
        scores, embedding = self._predict(image, predicted)
        for obj, mask in masks.items():
            work_mask = resize_mask(mask, self.settings.size)
            if obj not in self.params:
                if self.model.matching and embedding is None:
                    embedding = self.model.embed(image)
                self._add_object(obj, frame, mask, work_mask, embedding)
            self.masks[obj] = work_mask
            scores[obj] = work_mask.astype(np.float32)
        if self.model.matching:
            self.prev_embedding = self.model.embed(image) if embedding is None else embedding
        return resize_mask(self._merge(scores, masks, predicted), frame.shape[:2])

    def _merge(self, scores, masks, predicted):
        """The frame's ids (at working size, or at the frame's size when every object was
        given), after keeping each predicted object's next mask: its thresholded probability,
        or with soft merging its region of the merged ids."""
        background = merged = None
        if self.settings.merge == 'soft' and scores:
            background, scores = soft_aggregate(scores)
            merged = merge_scores(scores, background)
        for obj in predicted:
            mask = scores[obj] > self.settings.threshold if merged is None else merged == obj
            self.masks[obj] = mask.astype(np.uint8)
        if masks and not predicted:  # nothing predicted: the given masks as they are
            return merge_scores({obj: mask.astype(np.float32) for obj, mask in masks.items()})
        if merged is None and scores:
            merged = merge_scores(scores, background)
        return np.zeros(self.settings.size, np.uint8) if merged is None else merged

    def _add_object(self, obj, frame, mask, work_mask, embedding):
        """Encode a new object from ``frame`` and its ``mask`` (frame size)."""
        if not mask.any():
            raise DataError(f'the mask given for object {obj} is empty; an object is encoded '
                            'from at least one pixel of it.')
        self.params[obj] = (self.model.encode_guide(visual_guide_input(frame, mask, self.settings))
                            if self.model.param_names else {})
        if self.model.matching:
            self.references[obj] = embedding, work_mask[None, ..., None].astype(np.float32)

    def _predict(self, image, objects):
        """``({obj: [H, W] float32 probability}, embedding or None)`` of ``objects``, segmented
        as one batch."""
        if not objects:
            return {}, None
        params = {name: np.concatenate([self.params[obj][name] for obj in objects])
                  for name in self.model.param_names}
        spatial = (spatial_guide_inputs([self.masks[obj] for obj in objects],
                                        self.settings).astype(np.float32)
                   if self.model.takes_spatial_guide else None)
        memory = None
        if self.model.matching:
            memory = dict(
                ref_embedding=np.concatenate([self.references[obj][0] for obj in objects]),
                ref_mask=np.concatenate([self.references[obj][1] for obj in objects]),
                prev_embedding=self.prev_embedding,
                prev_mask=np.stack([self.masks[obj] for obj in objects])[..., None])
        outputs = self.model.step(image, params, spatial, memory)
        probabilities = _sigmoid(outputs['logits'][..., 0])
        return dict(zip(objects, probabilities)), outputs.get('embedding')


def _sigmoid(logits):
    """Logistic function of float32 logits, without overflow for large magnitudes."""
    return (0.5 * (1.0 + np.tanh(0.5 * logits))).astype(np.float32)


def _checked_id(obj):
    if isinstance(obj, (bool, np.bool_)) or not isinstance(obj, (int, np.integer)) \
            or not 1 <= obj <= 255:
        raise DataError(f'object ids are integers 1..255 (0 is the background, ids are palette '
                        f'indices), got {obj!r}; renumber the object.')
    return int(obj)
