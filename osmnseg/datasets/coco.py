"""MS-COCO 2017 instances as single-image VOS samples (spec §6.1).

::

    <data_root>/annotations/instances_{train,val}2017.json
    <data_root>/{train,val}2017/<file_name>

Every instance that is not a crowd and covers more than ``min_area_ratio`` of its image is one
training sample; the image is both the guide source and the frame to segment, the spatial guide
comes from the (perturbed) current mask. Reading and filtering the JSON of ``train2017`` takes
minutes, so the filtered index is cached as JSON in ``cache_dir`` (default
``$XDG_CACHE_HOME/osmnseg`` or ``~/.cache/osmnseg``), keyed by the annotation file's path, size
and modification time and by ``min_area_ratio``.
"""
import hashlib
import json
import logging
import os
import tempfile

from osmnseg.datasets.base import BaseVOSDataset
from osmnseg.io.coco_masks import coco_segmentation_area
from osmnseg.io.folders import check_safe_name
from osmnseg.registry import DATASETS
from osmnseg.utils.errors import DataError

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1


def default_cache_dir():
    """``$XDG_CACHE_HOME/osmnseg``, or ``~/.cache/osmnseg``."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'osmnseg')


@DATASETS.register_module()
class CocoVOS(BaseVOSDataset):
    """COCO instances, one training sample per kept instance.

    Args:
        data_root: COCO folder.
        split: ``'train'`` or ``'val'`` (selects the default file names).
        pipeline: TRANSFORMS config dicts.
        ann_file: instances JSON; relative paths are taken from ``data_root``
            (default ``annotations/instances_{split}2017.json``).
        img_prefix: folder the images' ``file_name`` is relative to; relative paths are taken
            from ``data_root`` (default ``{split}2017``).
        min_area_ratio: keep instances whose mask covers more than this fraction of the image.
        cache_dir: folder of the filtered-index cache (default: see the module docstring).
        test_mode: the data set is used for evaluation (same samples).
    """

    def __init__(self, data_root, split='train', pipeline=(), ann_file=None, img_prefix=None,
                 min_area_ratio=0.03, cache_dir=None, test_mode=False):
        root = os.path.abspath(os.path.expanduser(str(data_root)))
        self.split = split
        self.ann_file = os.path.join(
            root, ann_file or os.path.join('annotations', f'instances_{split}2017.json'))
        self.img_prefix = os.path.join(root, img_prefix or f'{split}2017')
        self.min_area_ratio = float(min_area_ratio)
        self.cache_dir = os.path.abspath(os.path.expanduser(cache_dir or default_cache_dir()))
        super().__init__(data_root, pipeline=pipeline, test_mode=test_mode)

    @property
    def index_file(self):
        return self.ann_file

    @property
    def cache_file(self):
        """The cache file of this annotation file and filter setting."""
        digest = hashlib.sha1(f'{self.ann_file}|{self.min_area_ratio!r}'.encode()).hexdigest()
        return os.path.join(self.cache_dir, f'coco_index_{digest[:16]}.json')

    def load_samples(self):
        if not os.path.isfile(self.ann_file):
            raise DataError(f'{self.ann_file} does not exist; set ann_file or place the COCO '
                            'annotations under <data_root>/annotations/.')
        key = self._cache_key()
        entries = self._read_cache(key)
        if entries is None:
            entries = filter_instances(self.ann_file, self.min_area_ratio)
            self._write_cache(key, entries)
        return [dict(image_path=os.path.join(self.img_prefix, entry['file_name']),
                     guide_image_path=os.path.join(self.img_prefix, entry['file_name']),
                     coco_segmentation=entry['segmentation'], img_height=entry['height'],
                     img_width=entry['width'], obj_id=None, sequence=entry['file_name'],
                     frame=str(entry['id']), flip_image=True)
                for entry in entries]

    # ------------------------------------------------------------------ cache
    def _cache_key(self):
        stat = os.stat(self.ann_file)
        return dict(format=CACHE_FORMAT, ann_file=self.ann_file, size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns, min_area_ratio=self.min_area_ratio)

    def _read_cache(self, key):
        """The cached entries when the cache matches ``key``, else None."""
        try:
            with open(self.cache_file, encoding='utf-8') as file:
                cached = json.load(file)
        except (OSError, ValueError):
            return None
        if not isinstance(cached, dict) or cached.get('key') != key:
            return None
        entries = cached.get('entries')
        if not isinstance(entries, list):
            return None
        logger.info('CocoVOS: using the filtered index cached in %s', self.cache_file)
        return entries

    def _write_cache(self, key, entries):
        """Write the cache atomically (temporary file + rename); failures only log."""
        try:
            os.makedirs(self.cache_dir, exist_ok=True)
            handle, tmp_path = tempfile.mkstemp(prefix='.coco_index-', suffix='.json',
                                                dir=self.cache_dir)
            with os.fdopen(handle, 'w', encoding='utf-8') as file:
                json.dump(dict(key=key, entries=entries), file, separators=(',', ':'))
            os.replace(tmp_path, self.cache_file)
        except OSError as err:
            logger.warning('CocoVOS: could not write the index cache %s (%s); the index will be '
                           'rebuilt next time', self.cache_file, err)


def filter_instances(ann_file, min_area_ratio):
    """Read a COCO instances JSON and keep the instances OSMN trains on (spec §6.1).

    Drops crowd annotations and instances whose mask covers at most ``min_area_ratio`` of the
    image (the mask area is the pixel count pycocotools' ``annToMask`` would give).

    Returns:
        list of ``{id, file_name, height, width, segmentation}`` dicts (the guide box is the
        tight box of the mask, computed by the pipeline).

    Raises:
        DataError: the JSON is unreadable or malformed.
    """
    logger.info('CocoVOS: filtering the instances of %s', ann_file)
    try:
        with open(ann_file, encoding='utf-8') as file:
            data = json.load(file)
    except ValueError as err:
        raise DataError(f'{ann_file} is not valid JSON ({err}); restore the file.') from err
    for field in ('images', 'annotations'):
        if not isinstance(data, dict) or not isinstance(data.get(field), list):
            raise DataError(f'{ann_file} has no "{field}" list; it is not a COCO instances '
                            'file.')
    images = {image['id']: image for image in data['images']}
    entries = []
    for ann in data['annotations']:
        if ann.get('iscrowd', 0):
            continue
        image = images.get(ann.get('image_id'))
        if image is None:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} refers to image '
                            f'{ann.get("image_id")}, which "images" does not list.')
        check_safe_name(image['file_name'], ann_file, allow_subfolders=True)
        height, width = int(image['height']), int(image['width'])
        if instance_area(ann, height, width, ann_file) / (height * width) <= min_area_ratio:
            continue
        entries.append(dict(id=ann['id'], file_name=image['file_name'], height=height,
                            width=width, segmentation=ann['segmentation']))
    return entries


def instance_area(ann, height, width, ann_file):
    """Pixel count of an annotation's polygons or (un)compressed RLE (as ``annToMask``).

    Raises:
        DataError: the segmentation is malformed (the message names the annotation).
    """
    try:
        return coco_segmentation_area(ann.get('segmentation'), height, width)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError) as err:
        raise DataError(f'{ann_file}: annotation {ann.get("id")} has a malformed segmentation '
                        f'({err}); fix or remove it.') from err
