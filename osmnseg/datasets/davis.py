"""DAVIS 2016 / 2017 in the official layout of the DAVIS-2017 trainval package.

::

    <data_root>/ImageSets/<version>/<split>.txt        one sequence name per line
    <data_root>/JPEGImages/<resolution>/<seq>/00000.jpg ...
    <data_root>/Annotations/<resolution>/<seq>/00000.png ...   palette PNGs, ids 1..n

Multi-object sequences are split into per-object samples in memory by palette index (no
preprocessing step writes files). 2017: the objects are the ids of frame 0; 2016: one object,
the union of all ids (``obj_id=None``), i.e. the union of the 2017 re-annotations as in OSMN.
"""
import dataclasses
import os

import numpy as np

from osmnseg.datasets.base import (GuideSampler, VideoDataset, check_object_present, mask_stats,
                                   pair_samples, present_object_ids, previous_frames)
from osmnseg.datasets.sequence import VideoSequence
from osmnseg.io.folders import FRAME_EXTENSIONS, by_stem, list_files, read_split_list
from osmnseg.io.images import check_one_size, check_same_size, read_image_size
from osmnseg.io.masks import binarize_mask
from osmnseg.io.palette import load_index_png
from osmnseg.registry import DATASETS
from osmnseg.utils.errors import ConfigError, DataError

FALLBACK_ANNOTATION_RESOLUTION = '480p'


@dataclasses.dataclass(frozen=True)
class _Video:
    """What the index knows of one sequence: frame names, paths, objects, annotation size."""

    frames: list
    image_paths: dict
    label_paths: dict
    object_ids: list
    size: tuple


@DATASETS.register_module()
class DAVIS(VideoDataset):
    """DAVIS 2016/2017 training pairs (spec §6.3) and evaluation sequences (§7.2).

    Args:
        data_root: folder with ``ImageSets/``, ``JPEGImages/`` and ``Annotations/``.
        version: 2016 (one object per sequence) or 2017 (multi-object).
        split: split list name, e.g. ``'train'``, ``'val'``, ``'test-dev'``.
        resolution: ``'480p'`` or ``'Full-Resolution'``; for ``'Full-Resolution'`` without
            ``Annotations/Full-Resolution`` the 480p annotations are used (the pipeline resizes
            masks to the frame size).
        pipeline: TRANSFORMS config dicts.
        randomize_guide: draw each pair's guide from the object's valid frames and pair
            consecutive non-blank frames only (§6.3); otherwise frame 0 guides consecutive pairs
            of all frames.
        label_valid_ratio, bbox_valid_ratio: guide validity thresholds (randomize only).
        seed: seed of the guide draws (randomize only) and of the previous-frame gaps.
        max_prev_gap: the previous mask of a training pair comes from 1 .. ``max_prev_gap``
            frames before it (drawn once per pair when the index is built; 1 = the original's
            consecutive pairs).
        test_mode: index the sequences only; test splits may annotate frame 0 only.
    """

    default_evaluator = dict(type='DAVISMetric')

    def __init__(self, data_root, version=2017, split='train', resolution='480p', pipeline=(),
                 randomize_guide=False, label_valid_ratio=0.003, bbox_valid_ratio=0.2, seed=0,
                 max_prev_gap=1, test_mode=False):
        if str(version) not in ('2016', '2017'):
            raise ConfigError(f'DAVIS version must be 2016 or 2017, got {version!r}; fix '
                              'data.*.version in the config.')
        self.version = int(version)
        self.split = split
        self.resolution = resolution
        self.guide_sampler = GuideSampler(randomize_guide, label_valid_ratio, bbox_valid_ratio,
                                          seed)
        self.max_prev_gap = int(max_prev_gap)
        if self.max_prev_gap < 1:
            raise ConfigError(f'DAVIS max_prev_gap must be >= 1, got {max_prev_gap!r}; fix '
                              'data.train.max_prev_gap in the config.')
        self.gap_rng = np.random.default_rng([seed, 1])
        self._videos = {}
        super().__init__(data_root, pipeline=pipeline, test_mode=test_mode)

    @property
    def index_file(self):
        return os.path.join(self.data_root, 'ImageSets', str(self.version), f'{self.split}.txt')

    # ------------------------------------------------------------------ folders
    def _image_root(self):
        return self._existing_dir('JPEGImages', self.resolution)

    def _annotation_root(self):
        preferred = os.path.join(self.data_root, 'Annotations', self.resolution)
        if not os.path.isdir(preferred) and self.resolution != FALLBACK_ANNOTATION_RESOLUTION:
            return self._existing_dir('Annotations', FALLBACK_ANNOTATION_RESOLUTION)
        return self._existing_dir('Annotations', self.resolution)

    def _existing_dir(self, kind, resolution):
        folder = os.path.join(self.data_root, kind, resolution)
        if not os.path.isdir(folder):
            raise DataError(f'{kind} folder {folder} does not exist; the DAVIS data root must hold '
                            f'{kind}/{resolution}/<sequence>/ (see docs/datasets.md).')
        return folder

    # ------------------------------------------------------------------ one sequence
    def _video(self, name):
        """Index one sequence (cached): list and check its frames and annotations."""
        if name not in self._videos:
            self._videos[name] = self._read_video(name)
        return self._videos[name]

    def _read_video(self, name):
        image_dir = os.path.join(self._image_root(), name)
        annotation_root = self._annotation_root()
        label_dir = os.path.join(annotation_root, name)
        for folder in (image_dir, label_dir):
            if not os.path.isdir(folder):
                raise DataError(f'sequence {name!r} listed in {self.index_file} is absent: '
                                f'{folder} does not exist.')
        image_paths = by_stem(image_dir, list_files(image_dir, FRAME_EXTENSIONS, 'frame'))
        label_paths = by_stem(label_dir, list_files(label_dir, ('.png',), 'annotation'))
        frames = sorted(image_paths)
        self._check_counts(name, frames, label_paths, image_dir, label_dir)
        same_resolution = os.path.basename(annotation_root) == self.resolution
        check_one_size([image_paths[frame] for frame in frames], f'sequence {name!r}')
        size = self._check_sizes(frames, image_paths, label_paths, same_resolution)
        first_path = label_paths[frames[0]]
        first_label = load_index_png(first_path)
        if self.version == 2016:
            check_object_present(first_label, None, first_path, name)
            object_ids = [None]
        else:
            object_ids = present_object_ids(first_label, first_path, name)
        return _Video(frames, image_paths, label_paths, object_ids, size)

    def _check_counts(self, name, frames, label_paths, image_dir, label_dir):
        if not frames:
            raise DataError(f'frame folder {image_dir} of sequence {name!r} holds no image.')
        orphans = sorted(set(label_paths) - set(frames))
        if orphans:
            raise DataError(f'{label_paths[orphans[0]]} has no frame of the same name in '
                            f'{image_dir}; frames and annotations must correspond.')
        if frames[0] not in label_paths:
            raise DataError(f'{label_dir} has no annotation {frames[0]}.png for the first frame '
                            f'of sequence {name!r}.')
        complete = len(label_paths) == len(frames)
        if not complete and (not self.test_mode or len(label_paths) != 1):
            raise DataError(f'{label_dir} holds {len(label_paths)} annotations but {image_dir} '
                            f'holds {len(frames)} frames; '
                            + ('training needs one annotation per frame.' if not self.test_mode
                               else 'annotate every frame or only the first.'))

    @staticmethod
    def _check_sizes(frames, image_paths, label_paths, same_resolution):
        """Check annotation sizes (against their frames when both share a resolution folder,
        else against each other); returns the annotation size ``(H, W)``."""
        first_path = label_paths[frames[0]]
        size = read_image_size(first_path)
        for frame in frames:
            if frame not in label_paths:
                continue
            label_size = read_image_size(label_paths[frame])
            if same_resolution:
                check_same_size(label_paths[frame], label_size, image_paths[frame],
                                read_image_size(image_paths[frame]))
            else:
                check_same_size(label_paths[frame], label_size, first_path, size)
        return size

    # ------------------------------------------------------------------ index
    def load_samples(self):
        samples = []
        for name in read_split_list(self.index_file):
            video = self._video(name)
            if self.guide_sampler.randomize:
                samples.extend(self._randomized_samples(name, video))
                continue
            for obj_id in video.object_ids:
                guides = [video.frames[0]] * (len(video.frames) - 1)
                prevs = previous_frames(video.frames, self.max_prev_gap, self.gap_rng)
                samples.extend(pair_samples(name, obj_id, video.frames, guides,
                                            video.image_paths, video.label_paths, prevs))
        return samples

    def _randomized_samples(self, name, video):
        """Pairs of consecutive non-blank frames with random valid guides, per object.

        Each object scans the whole frame list (quirk 12 fixed: OSMN let the k-th object see
        only the frames where objects 1..k are all visible).
        """
        labels = {frame: load_index_png(video.label_paths[frame]) for frame in video.frames}
        num_pixels = video.size[0] * video.size[1]
        samples = []
        for obj_id in video.object_ids:
            stats = {frame: mask_stats(binarize_mask(label, obj_id))
                     for frame, label in labels.items()}
            non_blank = [frame for frame in video.frames if stats[frame][0] > 0]
            if len(non_blank) < 2:
                continue
            guides = self.guide_sampler.draw(non_blank, stats, num_pixels, len(non_blank) - 1)
            prevs = previous_frames(non_blank, self.max_prev_gap, self.gap_rng)
            samples.extend(pair_samples(name, obj_id, non_blank, guides, video.image_paths,
                                        video.label_paths, prevs))
        return samples

    def load_sequences(self):
        sequences = []
        for name in sorted(read_split_list(self.index_file)):
            video = self._video(name)
            sequences.append(VideoSequence(
                name=name, frame_paths=[video.image_paths[f] for f in video.frames],
                annotation_paths=dict(video.label_paths), **self._sequence_objects(video),
                eval_frames=list(video.frames), original_size=video.size))
        return sequences

    def _sequence_objects(self, video):
        """A sequence's ``object_ids``, ``first_frame`` and ``label_threshold``: DAVIS 2016 is
        one object (id 1, every pixel > 0 of its binary masks), DAVIS 2017 the palette ids."""
        ids = [1] if self.version == 2016 else list(video.object_ids)
        return dict(object_ids=ids, first_frame={obj_id: 0 for obj_id in ids},
                    label_threshold=0 if self.version == 2016 else None)
