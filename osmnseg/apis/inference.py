"""Video inference: one OSMN forward pass per frame for all objects of a video.

The protocol is the original one (spec §7.2): per object, the visual parameters are computed
once from its first annotated frame; each later frame is segmented with the spatial guide built
from the object's previous prediction (binary, threshold 0.5, at working resolution; no
perturbation; kept in memory instead of the original's PNG round trip, quirk 10); objects are
merged with a constant 0.5 background score and an argmax, ties going to the lower id (§7.5).
Layers that no modulator touches run once per frame for all objects (``model.encode_frame``);
the modulated rest runs the objects as one batch (``model.segment_shared``). Frames are streamed:
nothing but the current frame and one binary mask per object is held in memory.

With online fine-tuning (§5.5, last column) every object has its own weights, so objects are
segmented one after the other (frames re-read from disk), their probability maps parked in a
temporary folder as ``.npy`` and merged at the end; memory stays flat as well.
"""
import dataclasses
import os
import tempfile

import numpy as np
import tensorflow as tf
from PIL import Image

from osmnseg.config import Config
from osmnseg.datasets.palette import load_index_png
from osmnseg.datasets.pipelines.functional import (binarize_mask, make_masktrack_guide,
                                                   make_spatial_guide, make_visual_guide,
                                                   mask_background, normalize_image, read_image,
                                                   resize_image, resize_mask)
from osmnseg.utils.errors import DataError

BACKGROUND_SCORE = 0.5
NORMALIZE_KEYS = ('mean', 'scale', 'to_bgr', 'mode')  # the Normalize step's normalize_image args


def init_segmentor(config, checkpoint=None, device='cpu', cfg_options=None, dtype=None):
    """Build an OSMN model ready for inference.

    Args:
        config: config file path or :class:`~osmnseg.config.Config` (not modified).
        checkpoint: a work dir (its ``last_checkpoint``), a checkpoint prefix, or an original
            OSMN / TF-slim checkpoint (detected by ``load_checkpoint``); ``None`` keeps the
            random initialisation.
        device: a device name (``'cpu'``, ``'gpu'``, ``'npu'``), a device config dict or a
            :class:`~osmnseg.devices.Device`; it is set up before the model is built.
        cfg_options: ``{dotted key: value}`` overrides merged into the config.
        dtype: compute dtype (``'float32' | 'bfloat16' | 'float16'``); default: the device's
            ``default_precision('inference')``.

    Returns:
        the OSMN module with weights loaded, compute dtype set and ``model.cfg`` attached.
    """
    from osmnseg.devices import Device, build_device
    from osmnseg.models import build_segmentor, load_checkpoint

    cfg = Config.fromfile(config) if isinstance(config, (str, os.PathLike)) else config.deepcopy()
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    device = device if isinstance(device, Device) else build_device(device)
    device.setup()
    model = build_segmentor(cfg.model)
    if checkpoint is not None:
        load_checkpoint(model, str(checkpoint))
    model.set_compute_dtype(dtype or device.default_precision('inference'))
    model.cfg = cfg
    return model


@dataclasses.dataclass
class InferenceSettings:
    """How frames and guides are prepared at test time (must match training).

    Attributes:
        size: working ``(H, W)``; ``None`` = each frame's own size.
        max_size: with ``size=None``, frames whose longer side exceeds this are processed at
            a reduced size (aspect kept) and masks resized back.
        guide_size: side of the square visual guide.
        pad_ratio: box padding of the test visual guide (spec §4.2: 3 %).
        keep_aspect_ratio: fit the guide crop with its aspect ratio kept.
        mask_guide_background: zero the guide's background (off with ``bbox_sup``).
        normalize: keyword arguments of ``normalize_image`` (mean, scale, to_bgr, mode).
        spatial_guide: ``'gaussian'`` (§4.3) or ``'masktrack'`` (§4.4).
        min_std: minimum Gaussian std in pixels.
        dilate_radius: masktrack dilation radius.
        threshold: probability threshold of a predicted mask.
    """

    size: tuple = None
    max_size: int = None
    guide_size: int = 224
    pad_ratio: float = 0.03
    keep_aspect_ratio: bool = False
    mask_guide_background: bool = True
    normalize: dict = dataclasses.field(default_factory=dict)
    spatial_guide: str = 'gaussian'
    min_std: float = 5.0
    dilate_radius: int = 5
    threshold: float = 0.5

    @classmethod
    def from_config(cls, cfg):
        """Read ``cfg.test_cfg`` and, so that training and testing cannot diverge, the
        ``Resize`` / ``Normalize`` / ``VisualGuide`` / ``SpatialGuide`` / ``MaskTrackGuide``
        entries of the test pipeline (``cfg.data.test.pipeline``)."""
        settings = dict(cfg.get('test_cfg') or {})
        data = cfg.get('data') or {}
        pipeline = (data.get('test') or {}).get('pipeline') or []
        for step in pipeline:
            kind = step.get('type')
            if kind == 'Resize' and step.get('size') is not None:
                settings.setdefault('size', step['size'])
            elif kind == 'Normalize':
                settings.setdefault('normalize', {k: v for k, v in step.items()
                                                  if k in NORMALIZE_KEYS})
            elif kind == 'VisualGuide':
                for key in ('pad_ratio', 'keep_aspect_ratio'):
                    if key in step:
                        settings.setdefault(key, step[key])
                if 'size' in step:
                    settings.setdefault('guide_size', step['size'])
            elif kind == 'SpatialGuide' and 'min_std' in step:
                settings.setdefault('min_std', step['min_std'])
            elif kind == 'MaskTrackGuide':
                settings.setdefault('spatial_guide', 'masktrack')
                if 'dilate_radius' in step:
                    settings.setdefault('dilate_radius', step['dilate_radius'])
        if pipeline:  # the guide background is zeroed only if the test pipeline does it
            settings.setdefault('mask_guide_background',
                                any(step.get('type') == 'MaskGuideBackground'
                                    for step in pipeline))
        if settings.get('size') is not None:
            settings['size'] = tuple(settings['size'])
        return cls(**settings)

    def working_size(self, frame_size):
        """The ``(H, W)`` a frame of ``frame_size`` is segmented at."""
        if self.size is not None:
            return tuple(self.size)
        height, width = frame_size
        if self.max_size and max(height, width) > self.max_size:
            ratio = self.max_size / max(height, width)
            return max(1, int(round(height * ratio))), max(1, int(round(width * ratio)))
        return tuple(frame_size)


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


@dataclasses.dataclass
class _Step:
    """One frame before merging: per-object scores at working size."""

    index: int
    frame_size: tuple
    scores: dict
    starting: list
    predicted: bool


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

    # ------------------------------------------------------------------ inputs
    def normalized(self, image):
        return normalize_image(image, **self.settings.normalize)

    def encode_object(self, frame, mask):
        """Visual parameters ``{layer: [1, C]}`` of the object ``mask`` ([H,W] 0/1) in ``frame``."""
        s = self.settings
        guide, guide_mask = make_visual_guide(frame, mask, rng=None, size=s.guide_size,
                                              pad_ratio=s.pad_ratio,
                                              keep_aspect_ratio=s.keep_aspect_ratio)
        guide = self.normalized(guide)
        if s.mask_guide_background:
            guide = mask_background(guide, guide_mask)
        return self.model.encode_guide(tf.constant(guide[None]))

    def spatial_guide(self, previous_mask):
        """``[H, W, 1] float32`` spatial guide from a binary mask at working size."""
        s = self.settings
        if s.spatial_guide == 'masktrack':
            guide = make_masktrack_guide(previous_mask, rng=None, dilate_radius=s.dilate_radius)
        else:
            guide = make_spatial_guide(previous_mask, rng=None, min_std=s.min_std)
        return guide[..., None]

    # ------------------------------------------------------------------ protocol
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
        annotation = _Annotations(annotations)
        if object_ids is None:
            object_ids = [int(i) for i in np.unique(annotation(0)) if i != 0]
        object_ids = list(object_ids)
        first_frame = dict(first_frame or {obj: 0 for obj in object_ids})
        if self.finetuner is None:
            steps = self._steps(frames, annotation, object_ids, first_frame)
        else:
            steps = self._finetuned_steps(list(frames), annotation, object_ids, first_frame)
        for step in steps:
            yield self._merge(step, annotation, output_size or step.frame_size,
                              return_probabilities)

    def segment_sequence(self, sequence, return_probabilities=False):
        """Segment a data set's :class:`~osmnseg.datasets.VideoSequence` (frames streamed);
        masks come at the sequence's ``original_size``."""
        names = sequence.frame_names
        annotations = {i: sequence.annotation_paths[names[i]]
                       for i in set(sequence.first_frame.values())}
        return self.segment(sequence.frame_paths, annotations, list(sequence.object_ids),
                            dict(sequence.first_frame), return_probabilities,
                            tuple(sequence.original_size))

    def _steps(self, frames, annotation, object_ids, first_frame, start=0):
        """Per-frame scores ``{obj: [h, w] float32}`` at working size of all objects, batched.

        ``frames`` yields the frames from index ``start`` on."""
        state = _ObjectState()
        for index, frame in enumerate(frames, start):
            frame = _read(frame)
            work_size = self.settings.working_size(frame.shape[:2])
            scores = self._predict_active(state, frame, work_size)
            predicted = bool(scores)
            starting = [obj for obj in object_ids if first_frame.get(obj, 0) == index]
            for obj in starting:
                mask = binarize_mask(annotation(index), obj)
                if not mask.any():
                    raise DataError(f'object {obj} has an empty mask in its first annotated '
                                    f'frame {index}; remove it from the object list or fix the '
                                    'annotation.')
                state.add(obj, self.encode_object(frame, resize_mask(mask, frame.shape[:2])),
                          resize_mask(mask, work_size))
                scores[obj] = state.masks[obj].astype(np.float32)
            yield _Step(index, frame.shape[:2], scores, starting, predicted)

    def _predict_active(self, state, frame, work_size):
        """Probabilities ``{obj: [h, w] float32}`` at working size for the objects started
        before this frame; updates their binary masks."""
        if not state.objects:
            return {}
        image = self.normalized(resize_image(frame, work_size))[None]
        guides = np.stack([self.spatial_guide(resize_mask(state.masks[obj], work_size))
                           for obj in state.objects])
        shared = self.model.encode_frame(tf.constant(image))
        logits = self.model.segment_shared(shared, tf.constant(guides), state.stacked_params())
        probabilities = tf.sigmoid(logits)[..., 0].numpy()
        result = {}
        for obj, probability in zip(state.objects, probabilities):
            result[obj] = probability
            state.masks[obj] = (probability > self.settings.threshold).astype(np.uint8)
        return result

    def _finetuned_steps(self, frames, annotation, object_ids, first_frame):
        """As :meth:`_steps`, one object at a time with its own fine-tuned weights."""
        with tempfile.TemporaryDirectory(prefix='osmnseg_online_') as folder:
            for position, obj in enumerate(object_ids):
                start = first_frame.get(obj, 0)
                frame = _read(frames[start])
                mask = resize_mask(binarize_mask(annotation(start), obj), frame.shape[:2])
                with self.finetuner.finetuned(frame, mask,
                                              self.settings.working_size(frame.shape[:2])):
                    for step in self._steps(iter(frames[start:]), annotation, [obj],
                                            {obj: start}, start):
                        if step.predicted:
                            np.save(_score_path(folder, position, step.index), step.scores[obj])
            for index, frame in enumerate(frames):
                frame_size = _frame_size(frame)
                work_size = self.settings.working_size(frame_size)
                scores, starting = {}, []
                for position, obj in enumerate(object_ids):
                    start = first_frame.get(obj, 0)
                    if start < index:
                        scores[obj] = np.load(_score_path(folder, position, index))
                    elif start == index:
                        starting.append(obj)
                        scores[obj] = resize_mask(binarize_mask(annotation(index), obj),
                                                  work_size).astype(np.float32)
                yield _Step(index, frame_size, scores, starting, len(scores) > len(starting))

    @staticmethod
    def _merge(step, annotation, output_size, return_probabilities):
        """Merge per-object scores (0.5 background, argmax, ties to the lower id) and resize the
        index mask to ``output_size``. A frame where every segmented object starts returns its
        ground truth (restricted to those objects) unchanged."""
        output_size = tuple(output_size)
        objects = sorted(step.scores, key=_id_value)
        if step.starting and not step.predicted:
            truth = annotation(step.index)
            if step.starting == [None]:
                merged = (truth > 0).astype(np.uint8)
            else:
                merged = np.where(np.isin(truth, step.starting), truth, 0).astype(np.uint8)
            merged = resize_mask(merged, output_size)
        elif objects:
            merged = resize_mask(merge_scores(step.scores), output_size)
        else:
            merged = np.zeros(output_size, np.uint8)
        probabilities = None
        if return_probabilities:
            probabilities = {obj: resize_probability(step.scores[obj], output_size)
                             for obj in objects}
        return FrameResult(step.index, merged, probabilities)


def merge_scores(scores):
    """Merge per-object probabilities into one index mask (spec §7.5).

    Stacks a constant 0.5 background score with the objects' scores in increasing id order and
    takes the argmax, so a pixel goes to the most probable object if that exceeds 0.5, ties
    going to the background, then to the lower id.

    Args:
        scores: ``{obj_id: [h, w] float32}`` (``None`` = a single object written as id 1).

    Returns:
        ``[h, w] uint8`` object ids.
    """
    objects = sorted(scores, key=_id_value)
    stacked = np.stack([np.full_like(scores[objects[0]], BACKGROUND_SCORE)] +
                       [scores[obj] for obj in objects])
    ids = np.asarray([0] + [_id_value(obj) for obj in objects], np.uint8)
    return ids[np.argmax(stacked, axis=0)]


def resize_probability(probability, size):
    """Bilinear resize of an ``[h, w] float32`` probability map to ``size = (H, W)``."""
    if probability.shape == tuple(size):
        return probability
    return tf.image.resize(probability[..., None], size)[..., 0].numpy()


def _id_value(obj):
    """The palette id an object is written with (``None``, a single object, is 1)."""
    return 1 if obj is None else int(obj)


def _read(frame):
    """``[H, W, 3] uint8`` RGB from a frame array or image file."""
    return read_image(str(frame)) if isinstance(frame, (str, os.PathLike)) else np.asarray(frame)


def _frame_size(frame):
    """``(H, W)`` of a frame array or image file (reads the file header only)."""
    if isinstance(frame, (str, os.PathLike)):
        with Image.open(frame) as image:
            return image.height, image.width
    return np.shape(frame)[:2]


def _score_path(folder, position, index):
    return os.path.join(folder, f'{position}_{index}.npy')


class _Annotations:
    """Index masks of the annotated frames, read on first use and cached."""

    def __init__(self, annotations):
        self.annotations = annotations
        self.cache = {}

    def __call__(self, index):
        if index not in self.cache:
            if index not in self.annotations:
                raise DataError(f'no annotation given for frame {index}, where an object '
                                'starts; pass its index PNG in annotations.')
            value = self.annotations[index]
            self.cache[index] = load_index_png(value) if isinstance(value, (str, os.PathLike)) \
                else np.asarray(value)
        return self.cache[index]


class _ObjectState:
    """Visual parameters and previous binary masks of the objects being segmented."""

    def __init__(self):
        self.objects = []
        self.params = {}
        self.masks = {}
        self._stacked = None

    def add(self, obj, params, mask):
        self.objects.append(obj)
        self.params[obj] = params
        self.masks[obj] = mask
        self._stacked = None

    def stacked_params(self):
        """Visual parameters of all objects, ``{layer: [K, C]}`` (cached until one is added)."""
        if self._stacked is None:
            layers = self.params[self.objects[0]].keys()
            self._stacked = {layer: tf.concat([self.params[obj][layer] for obj in self.objects], 0)
                             for layer in layers}
        return self._stacked
