"""YouTube-VOS (2018/2019) in its official layout.

::

    <data_root>/<split>/meta.json
    <data_root>/<split>/JPEGImages/<video>/<frame>.jpg
    <data_root>/<split>/Annotations/<video>/<frame>.png     palette PNGs, object ids

``meta.json['videos'][video]['objects'][id]['frames']`` lists, per object, the annotated frames
from the object's first appearance on; object ids are strings in the JSON, possibly
non-contiguous. In the ``valid`` split only each object's first frame is annotated.
"""
import json
import os

from osmnseg.datasets.base import (GuideSampler, VideoDataset, check_object_present, mask_stats,
                                   pair_samples)
from osmnseg.datasets.sequence import VideoSequence
from osmnseg.io.folders import FRAME_EXTENSIONS, by_stem, check_safe_name, list_files
from osmnseg.io.images import check_same_size, read_image_size
from osmnseg.io.masks import binarize_mask
from osmnseg.io.palette import load_index_png
from osmnseg.registry import DATASETS
from osmnseg.utils.errors import DataError


@DATASETS.register_module()
class YouTubeVOS(VideoDataset):
    """YouTube-VOS training pairs (spec §6.4) and evaluation sequences.

    Args:
        data_root: folder holding ``train/``, ``valid/``, ... split folders.
        split: split folder name.
        pipeline: TRANSFORMS config dicts.
        randomize_guide: draw each pair's guide from the object's valid frames (validity on the
            stored-resolution masks; the frame list itself is not filtered); otherwise the
            object's first frame guides every pair.
        label_valid_ratio, bbox_valid_ratio: guide validity thresholds (randomize only).
        seed: seed of the guide draws (randomize only).
        test_mode: index the sequences only (the ``valid`` split).

    Training pairs are consecutive pairs of each object's ``frames`` list. Without
    ``randomize_guide`` the masks are not read at construction (the train split has ~100k), so
    an object missing from its first frame is reported by ``sequences()`` only.
    """

    default_evaluator = dict(type='YouTubeVOSMetric')

    def __init__(self, data_root, split='train', pipeline=(), randomize_guide=False,
                 label_valid_ratio=0.003, bbox_valid_ratio=0.2, seed=0, test_mode=False):
        self.split = split
        self.guide_sampler = GuideSampler(randomize_guide, label_valid_ratio, bbox_valid_ratio,
                                          seed)
        self._meta = None
        super().__init__(data_root, pipeline=pipeline, test_mode=test_mode)

    @property
    def split_root(self):
        return os.path.join(self.data_root, self.split)

    @property
    def index_file(self):
        return os.path.join(self.split_root, 'meta.json')

    # ------------------------------------------------------------------ meta.json
    def meta(self):
        """``{video: {obj_id (int): [frame names]}}`` from meta.json, checked (cached)."""
        if self._meta is None:
            self._meta = self._read_meta()
        return self._meta

    def _read_meta(self):
        path = self.index_file
        if not os.path.isfile(path):
            raise DataError(f'{path} does not exist; the YouTube-VOS data root must hold '
                            f'{self.split}/meta.json (see docs/datasets.md).')
        try:
            with open(path, encoding='utf-8') as file:
                raw = json.load(file)
        except ValueError as err:
            raise DataError(f'{path} is not valid JSON ({err}); restore the file.') from err
        videos = raw.get('videos') if isinstance(raw, dict) else None
        if not isinstance(videos, dict):
            raise DataError(f'{path} has no "videos" mapping; it is not a YouTube-VOS meta.json.')
        return {video: self._read_objects(video, entry, path)
                for video, entry in sorted(videos.items())}

    @staticmethod
    def _read_objects(video, entry, path):
        check_safe_name(video, path)
        objects = entry.get('objects') if isinstance(entry, dict) else None
        if not isinstance(objects, dict):
            raise DataError(f'{path}: video {video!r} has no "objects" mapping.')
        result = {}
        for key, obj in objects.items():
            frames = obj.get('frames') if isinstance(obj, dict) else None
            if not str(key).isdigit() or not 0 < int(key) < 256:
                raise DataError(f'{path}: video {video!r} has object id {key!r}; ids must be '
                                'integers in 1..255 (palette indices).')
            if not isinstance(frames, list) or not frames:
                raise DataError(f'{path}: object {key} of video {video!r} has no "frames" list.')
            for frame in frames:
                check_safe_name(frame, path)
            result[int(key)] = list(frames)
        return dict(sorted(result.items()))

    # ------------------------------------------------------------------ folders
    def _folder(self, kind, video=None):
        root = os.path.join(self.split_root, kind)
        if not os.path.isdir(root):
            raise DataError(f'{kind} folder {root} does not exist; the YouTube-VOS split folder '
                            f'must hold {kind}/<video>/ (see docs/datasets.md).')
        if video is None:
            return root
        folder = os.path.join(root, video)
        if not os.path.isdir(folder):
            raise DataError(f'video {video!r} listed in {self.index_file} is absent: {folder} '
                            'does not exist.')
        return folder

    def _video_files(self, video):
        """``({frame: image path}, {frame: annotation path})`` of one video."""
        image_dir = self._folder('JPEGImages', video)
        label_dir = self._folder('Annotations', video)
        return (by_stem(image_dir, list_files(image_dir, FRAME_EXTENSIONS, 'frame')),
                by_stem(label_dir, list_files(label_dir, ('.png',), 'annotation')))

    def _require(self, paths, frame, video, kind):
        if frame not in paths:
            what = 'annotation' if kind == 'Annotations' else 'image'
            raise DataError(f'frame {frame!r} of video {video!r} listed in {self.index_file} has '
                            f'no {what} in {self._folder(kind, video)}.')
        return paths[frame]

    def _check_first_size(self, video, frame, image_paths, label_paths):
        """Size of ``frame``'s annotation, checked against its image; returns ``(H, W)``."""
        label_path = self._require(label_paths, frame, video, 'Annotations')
        image_path = self._require(image_paths, frame, video, 'JPEGImages')
        size = read_image_size(label_path)
        check_same_size(label_path, size, image_path, read_image_size(image_path))
        return size

    # ------------------------------------------------------------------ index
    def load_samples(self):
        self._folder('JPEGImages')
        self._folder('Annotations')
        samples = []
        for video, objects in self.meta().items():
            image_paths, label_paths = self._video_files(video)
            listed = listed_frames(objects)
            for frame in listed:
                self._require(image_paths, frame, video, 'JPEGImages')
                self._require(label_paths, frame, video, 'Annotations')
            size = self._check_first_size(video, listed[0], image_paths, label_paths)
            stats = self._object_stats(video, objects, label_paths)
            for obj_id, frames in objects.items():
                guides = self.guide_sampler.draw(frames, stats.get(obj_id), size[0] * size[1],
                                                 len(frames) - 1)
                samples.extend(pair_samples(video, obj_id, frames, guides, image_paths,
                                            label_paths))
        return samples

    def _object_stats(self, video, objects, label_paths):
        """``{obj_id: {frame: (area, box_area)}}`` (randomize only; empty otherwise)."""
        if not self.guide_sampler.randomize:
            return {}
        labels = {frame: load_index_png(label_paths[frame]) for frame in listed_frames(objects)}
        stats = {}
        for obj_id, frames in objects.items():
            check_object_present(labels[frames[0]], obj_id, label_paths[frames[0]], video)
            stats[obj_id] = {frame: mask_stats(binarize_mask(labels[frame], obj_id))
                             for frame in frames}
        return stats

    def load_sequences(self):
        self._folder('JPEGImages')
        self._folder('Annotations')
        return [self._sequence(video, objects) for video, objects in self.meta().items()]

    def _sequence(self, video, objects):
        image_paths, label_paths = self._video_files(video)
        frame_names = sorted(image_paths)
        position = {frame: index for index, frame in enumerate(frame_names)}
        listed = listed_frames(objects)
        for frame in listed:
            self._require(image_paths, frame, video, 'JPEGImages')
        first_frames = sorted({frames[0] for frames in objects.values()}, key=position.get)
        size = self._check_first_size(video, first_frames[0], image_paths, label_paths)
        first_labels = {frame: load_index_png(self._require(label_paths, frame, video,
                                                            'Annotations'))
                        for frame in first_frames}
        for obj_id, frames in objects.items():
            check_object_present(first_labels[frames[0]], obj_id, label_paths[frames[0]], video)
        return VideoSequence(
            name=video, frame_paths=[image_paths[frame] for frame in frame_names],
            annotation_paths=dict(label_paths), object_ids=list(objects),
            first_frame={obj_id: position[frames[0]] for obj_id, frames in objects.items()},
            eval_frames=sorted(listed, key=position.get), original_size=size)


def listed_frames(objects):
    """Sorted union of the frames lists of ``{obj_id: [frame names]}``."""
    return sorted({frame for frames in objects.values() for frame in frames})
