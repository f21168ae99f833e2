"""Base classes of the data sets and the small index-building helpers the readers share (the
files themselves are read by :mod:`osmnseg.io`).

A data set is an in-memory index built at construction from an official on-disk layout:
``samples`` (training sample infos, plain JSON-able dicts, see docs/architecture.md) and, for
videos, ``sequences()`` (``VideoSequence`` objects for evaluation). Nothing is written next to
the data. Pixels are read later, by the TRANSFORMS pipeline, in ``prepare()``.
"""
import abc
import os

import numpy as np

from osmnseg.datasets.pipelines import Compose
from osmnseg.io.masks import object_ids_in
from osmnseg.utils.errors import DataError


class BaseVOSDataset(abc.ABC):
    """A training data set: a list of sample infos and the pipeline that turns one into arrays.

    Args:
        data_root: folder that holds the data set in its official layout.
        pipeline: list of TRANSFORMS config dicts (``dict(type='LoadFrame', ...)``).
        test_mode: the data set is used for evaluation.

    Subclasses set their own attributes, then call ``super().__init__``, which calls
    ``load_samples()``.
    """

    default_evaluator = None
    """The METRICS config (``dict(type=...)``) that scores the data set's sequences when the
    config names no ``test_evaluator`` / ``val_evaluator``; ``None``: no sequences to score."""

    def __init__(self, data_root, pipeline=(), test_mode=False):
        self.data_root = os.path.abspath(os.path.expanduser(str(data_root)))
        if not os.path.isdir(self.data_root):
            raise DataError(f'data root {self.data_root} does not exist; set data_root to the '
                            f'folder that holds the {type(self).__name__} data set.')
        self.test_mode = bool(test_mode)
        self.pipeline = Compose(list(pipeline))
        self.samples = self._build_samples()

    @property
    @abc.abstractmethod
    def index_file(self):
        """The file that lists the data set's content (split list, meta.json, JSON)."""

    @abc.abstractmethod
    def load_samples(self):
        """Build the list of sample info dicts (keys: see the data contract)."""

    def _build_samples(self):
        samples = self.load_samples()
        if not samples:
            raise DataError(f'{self.index_file} yields no training samples for '
                            f'{type(self).__name__} after filtering; check the split, the '
                            'annotations and the filter settings.')
        return samples

    def __len__(self):
        return len(self.samples)

    def prepare(self, index, rng, out_size):
        """Run the pipeline on one sample.

        Args:
            index: sample index in ``[0, len(self))``.
            rng: ``numpy.random.Generator`` for every random choice of the transforms.
            out_size: ``(H, W)`` working size of the batch.

        Returns:
            The pipeline's output dict (``image``, ``guide``, ``spatial_guide``, ``label``).
        """
        results = dict(self.samples[index])
        results['rng'] = rng
        results['out_size'] = tuple(int(v) for v in out_size)
        return self.pipeline(results)

    def __repr__(self):
        return (f'{type(self).__name__}(data_root={self.data_root!r}, samples={len(self)}, '
                f'test_mode={self.test_mode})')


class VideoDataset(BaseVOSDataset):
    """A video data set: training pairs and evaluation sequences.

    In ``test_mode`` only the sequences are indexed (``samples`` stays empty): test splits
    (DAVIS test-dev, YouTube-VOS valid) annotate only the first appearance of each object.
    """

    def __init__(self, data_root, pipeline=(), test_mode=False):
        self._sequences = None
        super().__init__(data_root, pipeline=pipeline, test_mode=test_mode)

    @abc.abstractmethod
    def load_sequences(self):
        """Build the list of ``VideoSequence`` objects of the split."""

    def sequences(self):
        """The evaluation sequences (built once, then cached).

        Returns:
            list of ``VideoSequence``, sorted by name.
        """
        if self._sequences is None:
            self._sequences = self.load_sequences()
        return list(self._sequences)

    def _build_samples(self):
        if not self.test_mode:
            return super()._build_samples()
        if not self.sequences():
            raise DataError(f'{self.index_file} yields no sequences for {type(self).__name__}; '
                            'check the split list and the annotations.')
        return []


# ---------------------------------------------------------------------------- masks


def mask_stats(mask):
    """``(area, box_area)`` of a binary mask; the box area is (xmax-xmin)*(ymax-ymin) with
    inclusive max coordinates and no +1, as OSMN's guide-validity test computes it."""
    area = int(np.count_nonzero(mask))
    if area == 0:
        return 0, 0
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return area, int((cols[-1] - cols[0]) * (rows[-1] - rows[0]))


class GuideSampler:
    """Chooses the guide frame of every training pair (spec §6.3, quirk 12 fixed).

    Default: the object's first frame guides every pair. With ``randomize``: every pair gets a
    guide drawn uniformly, once at index-building time, from the object's *valid* frames
    (area > label_valid_ratio * frame pixels and area > bbox_valid_ratio * box area); the
    first frame when none is valid. One ``numpy.random.default_rng(seed)`` serves all objects
    in index order, so the index is a pure function of (data, seed).
    """

    def __init__(self, randomize=False, label_valid_ratio=0.003, bbox_valid_ratio=0.2, seed=0):
        self.randomize = bool(randomize)
        self.label_valid_ratio = float(label_valid_ratio)
        self.bbox_valid_ratio = float(bbox_valid_ratio)
        self.rng = np.random.default_rng(seed)

    def is_valid(self, stats, num_pixels):
        """Whether a frame with ``stats = (area, box_area)`` may serve as a guide."""
        area, box_area = stats
        return (area > self.label_valid_ratio * num_pixels
                and area > self.bbox_valid_ratio * box_area)

    def draw(self, frames, stats, num_pixels, num_pairs):
        """Guide frame names for ``num_pairs`` pairs of one object.

        Args:
            frames: candidate frame names in temporal order (``frames[0]`` is the fallback).
            stats: ``{frame_name: (area, box_area)}`` of the object (randomize only).
            num_pixels: pixels of one annotation (randomize only).
            num_pairs: number of pairs to draw guides for.
        """
        if not self.randomize:
            return [frames[0]] * num_pairs
        valid = [name for name in frames if self.is_valid(stats[name], num_pixels)]
        if not valid:
            return [frames[0]] * num_pairs
        return [valid[i] for i in self.rng.integers(len(valid), size=num_pairs)]


def previous_frames(frames, max_gap, rng):
    """The previous-mask frame of each pair ``i = 1 .. len(frames) - 1``: ``frames[i - k]`` with
    ``k`` uniform in ``1 .. min(max_gap, i)`` (``max_gap=1``: consecutive pairs, no draw).
    Larger gaps teach the model the larger motion that a propagated mask lags behind by."""
    if max_gap <= 1:
        return list(frames[:-1])
    return [frames[i - int(rng.integers(1, min(max_gap, i) + 1))]
            for i in range(1, len(frames))]


def pair_samples(sequence, obj_id, frames, guides, image_paths, label_paths, prevs=None):
    """Training sample infos of pairs ``(prevs[i-1], frames[i])`` of one object.

    Args:
        sequence: sequence name.
        obj_id: palette index of the object, or None (binary masks).
        frames: frame names in temporal order.
        guides: guide frame name of each pair (``len(frames) - 1`` entries).
        image_paths, label_paths: ``{frame_name: path}``.
        prevs: previous-mask frame of each pair; default consecutive (``frames[i-1]``).
    """
    prevs = frames[:-1] if prevs is None else prevs
    return [dict(image_path=image_paths[cur], label_path=label_paths[cur],
                 guide_image_path=image_paths[guide], guide_label_path=label_paths[guide],
                 prev_label_path=label_paths[prev], prev_image_path=image_paths[prev],
                 obj_id=obj_id, sequence=sequence, frame=cur,
                 flip_image=False)
            for prev, cur, guide in zip(prevs, frames[1:], guides)]


def present_object_ids(label, path, sequence):
    """Sorted non-zero ids of a first-frame annotation.

    Raises:
        DataError: the annotation has no object pixel.
    """
    ids = object_ids_in(label)
    if not ids:
        raise DataError(f'{path} (first annotated frame of {sequence}) has no object pixel; '
                        'an object must be visible in its first annotated frame.')
    return ids


def check_object_present(label, obj_id, path, sequence):
    """Raise a DataError unless object ``obj_id`` (None: any object) is visible in ``label``."""
    ids = present_object_ids(label, path, sequence)
    if obj_id is not None and obj_id not in ids:
        raise DataError(f'object {obj_id} of {sequence} is absent from its first annotated '
                        f'frame {path} (ids present: {ids}); fix the annotation or the object '
                        'list.')
