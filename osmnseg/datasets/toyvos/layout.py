"""Where a ToyVOS set puts its files (the DAVIS 2017 layout plus COCO JSON and a manifest)."""
import os

from osmnseg.datasets.toyvos.params import SPLITS

IMAGE_ROOT = 'JPEGImages/480p'
ANNOTATION_ROOT = 'Annotations/480p'
MANIFEST = 'manifest.json'
YEARS = ('2016', '2017')


def frame_path(root, sequence, index, extension):
    """``<root>/<sequence>/<index:05d><extension>``."""
    return os.path.join(root, sequence, f'{index:05d}{extension}')


def split_list_path(year, split):
    return os.path.join('ImageSets', year, f'{split}.txt')


def coco_json_path(split):
    return os.path.join('annotations', f'instances_{split}.json')


def listed_files(sequences):
    """Every file of a set, relative to its root (the manifest included).

    Args:
        sequences: ``{name: {'num_frames': int, ...}}`` as the manifest stores them.

    Returns:
        ``set`` of relative paths.
    """
    files = {MANIFEST}
    for name, info in sequences.items():
        for index in range(info['num_frames']):
            files.add(frame_path(IMAGE_ROOT, name, index, '.jpg'))
            files.add(frame_path(ANNOTATION_ROOT, name, index, '.png'))
    for split in SPLITS:
        files.add(coco_json_path(split))
        files.update(split_list_path(year, split) for year in YEARS)
    return files
