"""YouTube-Objects in the layout OSMN's ``preprocess_youtube.py`` produces (spec §6.5).

::

    <data_root>/all.txt                     one sequence name per line (<class>_<video>)
    <data_root>/Images/<seq>/<frame>.jpg    every frame of shot 001 (.jpg or .png)
    <data_root>/Labels/<seq>/<frame>.png    0/255 masks of the annotated frames only

The preprocessing saves a label under its frame's file name, so the label of ``x.jpg`` may be
``x.jpg`` (JPEG-compressed) or ``x.png`` (quirk 18); both are accepted, ``.png`` is preferred
when both exist. Masks are binary: ``obj_id=None`` (any non-zero pixel is the object).
"""
import dataclasses
import logging
import os

from osmnseg.datasets.base import VideoDataset, check_object_present, pair_samples
from osmnseg.datasets.sequence import VideoSequence
from osmnseg.io.folders import FRAME_EXTENSIONS, by_stem, list_files, read_split_list
from osmnseg.io.images import check_same_size, read_image_size
from osmnseg.io.palette import load_index_png
from osmnseg.registry import DATASETS
from osmnseg.utils.errors import DataError

logger = logging.getLogger(__name__)

# Later entries win in by_stem(), so '.png' labels override '.jpg' ones of the same stem.
LABEL_EXTENSIONS = ('.jpeg', '.jpg', '.png')
MIN_LABELLED_FRAMES = 2
LABEL_THRESHOLD = 127  # labels are JPEG-compressed 0/255 masks: the object is > 127 (§8.2)


@dataclasses.dataclass(frozen=True)
class _Video:
    frames: list
    image_paths: dict
    label_paths: dict
    labelled: list
    size: tuple


@DATASETS.register_module()
class YouTubeObjects(VideoDataset):
    """YouTube-Objects evaluation sequences (and, outside test mode, training pairs).

    Args:
        data_root: folder with ``all.txt``, ``Images/`` and ``Labels/``.
        pipeline: TRANSFORMS config dicts.
        test_mode: index the sequences only (the default: OSMN only evaluates on this set).

    Sequences with fewer than 2 labelled frames are skipped (and logged). Outside test mode a
    sequence gives consecutive pairs of its labelled frames, guided by the first one.
    """

    default_evaluator = dict(type='YouTubeObjectsMetric')

    def __init__(self, data_root, pipeline=(), test_mode=True):
        self._videos = None
        super().__init__(data_root, pipeline=pipeline, test_mode=test_mode)

    @property
    def index_file(self):
        return os.path.join(self.data_root, 'all.txt')

    def videos(self):
        """``{sequence: _Video}`` of the usable sequences (cached)."""
        if self._videos is None:
            for kind in ('Images', 'Labels'):
                folder = os.path.join(self.data_root, kind)
                if not os.path.isdir(folder):
                    raise DataError(f'{kind} folder {folder} does not exist; the YouTube-Objects '
                                    f'data root must hold {kind}/<sequence>/ (see '
                                    'docs/datasets.md).')
            videos = {name: self._read_video(name)
                      for name in sorted(read_split_list(self.index_file))}
            self._videos = {name: video for name, video in videos.items() if video is not None}
        return self._videos

    def _read_video(self, name):
        image_dir = os.path.join(self.data_root, 'Images', name)
        label_dir = os.path.join(self.data_root, 'Labels', name)
        for folder in (image_dir, label_dir):
            if not os.path.isdir(folder):
                raise DataError(f'sequence {name!r} listed in {self.index_file} is absent: '
                                f'{folder} does not exist.')
        image_paths = by_stem(image_dir, list_files(image_dir, FRAME_EXTENSIONS, 'frame'))
        names = list_files(label_dir, LABEL_EXTENSIONS, 'label')
        label_paths = by_stem(label_dir, sorted(
            names, key=lambda n: LABEL_EXTENSIONS.index(os.path.splitext(n)[1].lower())))
        orphans = sorted(set(label_paths) - set(image_paths))
        if orphans:
            raise DataError(f'{label_paths[orphans[0]]} has no frame of the same name in '
                            f'{image_dir}; labels must be named after their frames.')
        frames = sorted(image_paths)
        labelled = [frame for frame in frames if frame in label_paths]
        if len(labelled) < MIN_LABELLED_FRAMES:
            logger.warning('YouTube-Objects: skipping sequence %s (%d labelled frame(s), at '
                           'least %d needed)', name, len(labelled), MIN_LABELLED_FRAMES)
            return None
        first_path = label_paths[labelled[0]]
        size = read_image_size(first_path)
        check_same_size(first_path, size, image_paths[labelled[0]],
                        read_image_size(image_paths[labelled[0]]))
        check_object_present(load_index_png(first_path), None, first_path, name)
        return _Video(frames, image_paths, label_paths, labelled, size)

    def load_samples(self):
        samples = []
        for name, video in self.videos().items():
            guides = [video.labelled[0]] * (len(video.labelled) - 1)
            samples.extend(pair_samples(name, None, video.labelled, guides, video.image_paths,
                                        video.label_paths))
        return samples

    def load_sequences(self):
        return [VideoSequence(
            name=name, frame_paths=[video.image_paths[f] for f in video.frames],
            annotation_paths={f: video.label_paths[f] for f in video.labelled},
            object_ids=[1], first_frame={1: video.frames.index(video.labelled[0])},
            eval_frames=list(video.labelled), original_size=video.size,
            label_threshold=LABEL_THRESHOLD)
            for name, video in self.videos().items()]
