"""Every malformed data set gives one DataError line naming the file and what is wrong."""
import json
import os
import re
import shutil

import numpy as np
import pytest
from vos_layouts import H, W, label_with, write_frame, write_meta, write_split
from PIL import Image

from osmnseg.datasets import DAVIS, CocoVOS, YouTubeObjects, YouTubeVOS
from osmnseg.io.palette import save_palette_png
from osmnseg.utils.errors import DataError


def raises_naming(path, *words):
    """Context manager: a one-line DataError that names ``path`` and contains ``words``."""
    return pytest.raises(DataError, match=''.join(f'(?=.*{w})' for w in
                                                 (re.escape(path), *words)))


def _one_line(excinfo):
    assert '\n' not in str(excinfo.value)


def _davis(root, *parts):
    return os.path.join(root, *parts)


@pytest.mark.parametrize('kind', ['JPEGImages', 'Annotations'])
def test_davis_missing_folder(davis_root, kind):
    shutil.rmtree(_davis(davis_root, kind))
    with raises_naming(_davis(davis_root, kind, '480p'), 'does not exist') as excinfo:
        DAVIS(davis_root, split='train')
    _one_line(excinfo)


def test_davis_sequence_listed_but_absent(davis_root):
    write_split(davis_root, 2017, 'train', ['single', 'ghost'])
    with raises_naming('ghost', 'ImageSets', 'absent'):
        DAVIS(davis_root, split='train')


def test_davis_missing_split_list(davis_root):
    with raises_naming(_davis(davis_root, 'ImageSets', '2017', 'trainval.txt'), 'does not exist'):
        DAVIS(davis_root, split='trainval')


def test_davis_annotation_count_mismatch(davis_root):
    os.remove(_davis(davis_root, 'Annotations', '480p', 'single', '00002.png'))
    with raises_naming(_davis(davis_root, 'Annotations', '480p', 'single'), '2 annotations',
                       '3 frames') as excinfo:
        DAVIS(davis_root, split='train')
    _one_line(excinfo)


def test_davis_annotation_without_frame(davis_root):
    os.remove(_davis(davis_root, 'JPEGImages', '480p', 'single', '00002.jpg'))
    with raises_naming(_davis(davis_root, 'Annotations', '480p', 'single', '00002.png'),
                       'no frame'):
        DAVIS(davis_root, split='val', test_mode=True)


def test_davis_annotation_size_mismatch(davis_root):
    path = _davis(davis_root, 'Annotations', '480p', 'single', '00001.png')
    save_palette_png(path, label_with({1: (0, 4, 0, 4)}, size=(H + 2, W)))
    with raises_naming(path, 'size of their frames') as excinfo:
        DAVIS(davis_root, split='val')
    _one_line(excinfo)


@pytest.mark.parametrize('test_mode', [False, True])
def test_davis_frames_of_different_sizes(davis_root, test_mode):
    frames = _davis(davis_root, 'JPEGImages', '480p', 'single')
    write_frame(os.path.join(frames, '00002.jpg'), size=(H, W + 8))
    if test_mode:  # a test split annotates the first frame only: the frames are still checked
        for index in (1, 2):
            os.remove(_davis(davis_root, 'Annotations', '480p', 'single', f'{index:05d}.png'))
    with raises_naming(os.path.join(frames, '00002.jpg'), f'is {W + 8}x{H}',
                       re.escape(os.path.join(frames, '00000.jpg')),
                       "all frames of sequence 'single' must have one size") as excinfo:
        DAVIS(davis_root, split='val', test_mode=test_mode)
    _one_line(excinfo)


def test_davis_skips_hidden_files(davis_root):
    for kind, name in (('JPEGImages', '._00001.jpg'), ('JPEGImages', '.DS_Store'),
                       ('Annotations', '._00001.png')):
        with open(_davis(davis_root, kind, '480p', 'single', name), 'wb') as file:
            file.write(b'\x00\x05\x16\x07 AppleDouble')
    [sequence] = DAVIS(davis_root, split='val', test_mode=True).sequences()
    assert sequence.frame_names == ['00000', '00001', '00002']
    assert sorted(sequence.annotation_paths) == ['00000', '00001', '00002']


def test_davis_rgb_annotation(davis_root):
    path = _davis(davis_root, 'Annotations', '480p', 'single', '00000.png')
    Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(path)
    with raises_naming(path, 'RGB', 'palette') as excinfo:
        DAVIS(davis_root, split='val')
    _one_line(excinfo)


@pytest.mark.parametrize('version', [2016, 2017])
def test_davis_empty_first_frame_mask(davis_root, version):
    path = _davis(davis_root, 'Annotations', '480p', 'single', '00000.png')
    save_palette_png(path, label_with({}))
    with raises_naming(path, 'no object pixel'):
        DAVIS(davis_root, version=version, split='val', test_mode=True)


def test_corrupted_image_file(davis_root):
    path = _davis(davis_root, 'JPEGImages', '480p', 'single', '00001.jpg')
    with open(path, 'wb') as file:
        file.write(b'\xff\xd8 not a jpeg')
    with raises_naming(path, 'not a readable image') as excinfo:
        DAVIS(davis_root, split='val')
    _one_line(excinfo)


def test_empty_data_set_after_filtering(davis_root):
    for name in ('single', 'two-objects'):
        for index in range(1, 6):
            for kind, ext in (('JPEGImages', 'jpg'), ('Annotations', 'png')):
                path = _davis(davis_root, kind, '480p', name, f'{index:05d}.{ext}')
                if os.path.exists(path):
                    os.remove(path)
    # One frame per sequence: no pair to train on.
    with raises_naming(_davis(davis_root, 'ImageSets', '2017', 'train.txt'), 'no training '
                       'samples'):
        DAVIS(davis_root, split='train')


def test_ytvos_object_id_absent_from_sequence(ytvos_root):
    meta = os.path.join(ytvos_root, 'valid', 'meta.json')
    write_meta(meta, {'vid_a': {'2': ['00000', '00005'], '7': ['00005', '00010']}})
    dataset = YouTubeVOS(ytvos_root, split='train')  # train meta unchanged
    assert len(dataset) == 4
    with raises_naming(os.path.join('valid', 'Annotations', 'vid_a', '00005.png'), 'object 7',
                       'absent', r'ids present: \[5\]') as excinfo:
        YouTubeVOS(ytvos_root, split='valid', test_mode=True)
    _one_line(excinfo)


def test_ytvos_listed_frame_without_annotation(ytvos_root):
    path = os.path.join(ytvos_root, 'train', 'Annotations', 'vid_a')
    os.remove(os.path.join(path, '00010.png'))
    with raises_naming(path, '00010', 'meta.json'):
        YouTubeVOS(ytvos_root, split='train')


def test_ytvos_missing_annotations_folder(ytvos_root):
    shutil.rmtree(os.path.join(ytvos_root, 'train', 'Annotations'))
    with raises_naming(os.path.join(ytvos_root, 'train', 'Annotations'), 'does not exist'):
        YouTubeVOS(ytvos_root, split='train')


@pytest.mark.parametrize('video, frame', [
    ('../escape', '00000'), ('/abs/video', '00000'), ('vid_a', '../../etc/passwd'),
    ('vid_a', '/etc/passwd'), ('..', '00000')])
def test_ytvos_meta_names_cannot_escape_the_root(ytvos_root, video, frame):
    meta = os.path.join(ytvos_root, 'train', 'meta.json')
    write_meta(meta, {video: {'1': [frame]}})
    with raises_naming(meta, 'escape the data root') as excinfo:
        YouTubeVOS(ytvos_root, split='train')
    _one_line(excinfo)


def test_ytvos_non_integer_object_id(ytvos_root):
    meta = os.path.join(ytvos_root, 'train', 'meta.json')
    write_meta(meta, {'vid_a': {'one': ['00000']}})
    with raises_naming(meta, "'one'", 'integers'):
        YouTubeVOS(ytvos_root, split='train')


def test_youtube_objects_everything_skipped(youtube_objects_root):
    with open(os.path.join(youtube_objects_root, 'all.txt'), 'w') as file:
        file.write('dog_0002\n')
    with raises_naming(os.path.join(youtube_objects_root, 'all.txt'), 'no sequences'):
        YouTubeObjects(youtube_objects_root)


def test_youtube_objects_missing_images_folder(youtube_objects_root):
    shutil.rmtree(os.path.join(youtube_objects_root, 'Images'))
    with raises_naming(os.path.join(youtube_objects_root, 'Images'), 'does not exist'):
        YouTubeObjects(youtube_objects_root)


def _rewrite_coco(root, change):
    path = os.path.join(root, 'annotations', 'instances_train2017.json')
    with open(path) as file:
        data = json.load(file)
    change(data)
    with open(path, 'w') as file:
        json.dump(data, file)
    return path


def test_coco_json_without_annotations(coco_root, tmp_path):
    path = _rewrite_coco(coco_root, lambda data: data.pop('annotations'))
    with raises_naming(path, '"annotations"') as excinfo:
        CocoVOS(coco_root, cache_dir=str(tmp_path / 'cache'))
    _one_line(excinfo)


def test_coco_file_name_cannot_escape_the_root(coco_root, tmp_path):
    path = _rewrite_coco(coco_root, lambda data: data['images'][0].update(
        file_name='../../secret.jpg'))
    with raises_naming(path, 'escape the data root'):
        CocoVOS(coco_root, cache_dir=str(tmp_path / 'cache'))


@pytest.mark.parametrize('segmentation', ['garbage', {'size': [32, 48]}])
def test_coco_malformed_segmentation_names_the_annotation(coco_root, tmp_path, segmentation):
    path = _rewrite_coco(coco_root, lambda data: data['annotations'][0].update(
        segmentation=segmentation))
    with raises_naming(path, 'has a malformed segmentation') as excinfo:
        CocoVOS(coco_root, cache_dir=str(tmp_path / 'cache'))
    _one_line(excinfo)


def test_coco_empty_after_filtering(coco_root, tmp_path):
    with raises_naming(os.path.join(coco_root, 'annotations', 'instances_train2017.json'),
                       'no training samples') as excinfo:
        CocoVOS(coco_root, min_area_ratio=0.5, cache_dir=str(tmp_path / 'cache'))
    _one_line(excinfo)


def test_missing_data_root(tmp_path):
    with raises_naming(str(tmp_path / 'nowhere'), 'does not exist'):
        DAVIS(str(tmp_path / 'nowhere'))


def test_truncated_frame_is_reported_when_the_pipeline_loads_it(ytvos_root):
    path = os.path.join(ytvos_root, 'train', 'JPEGImages', 'vid_a', '00010.jpg')
    with open(path, 'rb') as file:
        head = file.read(300)
    with open(path, 'wb') as file:
        file.write(head)
    dataset = YouTubeVOS(ytvos_root, split='train', pipeline=[dict(type='LoadFrame')])
    index = next(i for i, s in enumerate(dataset.samples) if s['image_path'] == path)
    with raises_naming(path) as excinfo:
        dataset.prepare(index, np.random.default_rng(0), (H, W))
    _one_line(excinfo)
