"""Tiny data sets in the official on-disk layouts, written with PIL (the fixtures of
conftest.py call the ``write_*`` functions with a folder below ``tmp_path``).

Every frame is ``H x W = 32 x 48``. Object masks are small rectangles so that areas, boxes and
guide validity are easy to compute by hand.
"""
import json
import os

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from osmnseg.io.palette import save_palette_png

H, W = 32, 48


def write_frame(path, seed=0, size=(H, W)):
    """A random RGB JPEG (or PNG, by extension) frame."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, size=(*size, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


def label_with(boxes, size=(H, W)):
    """``[H, W] uint8`` index mask with ``{obj_id: (y0, y1, x0, x1)}`` rectangles."""
    label = np.zeros(size, np.uint8)
    for obj_id, (y0, y1, x0, x1) in boxes.items():
        label[y0:y1, x0:x1] = obj_id
    return label


# DAVIS 'two-objects': object 1 is absent from frame 3, object 2 from frame 2 (so the pairs of
# the two objects differ: quirk 12); object 2 is two scattered pixels in frame 4 (an invalid
# guide: area 2 < 0.003 * 32 * 48).
OBJ1 = (2, 10, 2, 10)
OBJ2 = (20, 28, 30, 40)
TWO_OBJECTS = [
    {1: OBJ1, 2: OBJ2}, {1: OBJ1, 2: OBJ2}, {1: OBJ1}, {2: OBJ2}, {1: OBJ1}, {1: OBJ1, 2: OBJ2},
]
SINGLE = [{1: (4, 20, 4, 20)}] * 3


def write_davis_sequence(root, name, labels, resolution='480p', size=(H, W)):
    for index, label in enumerate(labels):
        write_frame(os.path.join(root, 'JPEGImages', resolution, name, f'{index:05d}.jpg'),
                    seed=index, size=size)
        save_palette_png(os.path.join(root, 'Annotations', resolution, name,
                                      f'{index:05d}.png'), label)


def write_split(root, version, split, names):
    path = os.path.join(root, 'ImageSets', str(version), f'{split}.txt')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as file:
        file.write(''.join(name + '\n' for name in names))


def write_davis(root):
    """DAVIS-2017 trainval layout: 'two-objects' (6 frames, 2 objects) and 'single' (3)."""
    two = [label_with(boxes) for boxes in TWO_OBJECTS]
    two[4][21, 31] = two[4][27, 39] = 2
    write_davis_sequence(root, 'two-objects', two)
    write_davis_sequence(root, 'single', [label_with(boxes) for boxes in SINGLE])
    for version in (2016, 2017):
        write_split(root, version, 'train', ['two-objects', 'single'])
        write_split(root, version, 'val', ['single'])
    return root


# YouTube-VOS 'vid_a': object 2 from frame 00000, object 5 appears at 00005 (ids non-contiguous).
YTVOS_OBJECTS = {'2': ['00000', '00005', '00010'], '5': ['00005', '00010', '00015']}
YTVOS_BOXES = {'00000': {2: OBJ1}, '00005': {2: OBJ1, 5: OBJ2}, '00010': {2: OBJ1, 5: OBJ2},
               '00015': {5: OBJ2}}


def write_meta(path, videos):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as file:
        json.dump({'videos': {video: {'objects': {key: {'category': 'thing', 'frames': frames}
                                                  for key, frames in objects.items()}}
                              for video, objects in videos.items()}}, file)


def write_ytvos(root):
    """YouTube-VOS: ``train`` (annotated every 5th frame) and ``valid`` (every frame as JPEG,
    annotations at each object's first appearance only)."""
    for frame, boxes in YTVOS_BOXES.items():
        write_frame(os.path.join(root, 'train', 'JPEGImages', 'vid_a', frame + '.jpg'))
        save_palette_png(os.path.join(root, 'train', 'Annotations', 'vid_a', frame + '.png'),
                         label_with(boxes))
    write_meta(os.path.join(root, 'train', 'meta.json'), {'vid_a': YTVOS_OBJECTS})
    for index in range(16):
        write_frame(os.path.join(root, 'valid', 'JPEGImages', 'vid_a', f'{index:05d}.jpg'))
    save_palette_png(os.path.join(root, 'valid', 'Annotations', 'vid_a', '00000.png'),
                     label_with({2: OBJ1}))
    save_palette_png(os.path.join(root, 'valid', 'Annotations', 'vid_a', '00005.png'),
                     label_with({5: OBJ2}))
    write_meta(os.path.join(root, 'valid', 'meta.json'), {'vid_a': YTVOS_OBJECTS})
    return root


def write_binary_label(path, box):
    """A 0/255 grey label; saved as JPEG or PNG by the extension (quirk 18)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(label_with({255: box})).save(path)


def write_youtube_objects(root):
    """Preprocessed YouTube-Objects: 'cat_0001' (labels named .jpg like its frames, and one
    frame with both a .jpg and a .png label) and 'dog_0002' (a single label: skipped)."""
    for index in range(1, 6):
        write_frame(os.path.join(root, 'Images', 'cat_0001', f'{index:05d}.jpg'), seed=index)
    write_binary_label(os.path.join(root, 'Labels', 'cat_0001', '00001.jpg'), (0, 16, 0, 24))
    write_binary_label(os.path.join(root, 'Labels', 'cat_0001', '00003.jpg'), (4, 20, 4, 28))
    write_binary_label(os.path.join(root, 'Labels', 'cat_0001', '00003.png'), (4, 20, 4, 28))
    write_binary_label(os.path.join(root, 'Labels', 'cat_0001', '00005.png'), (8, 24, 8, 32))
    write_frame(os.path.join(root, 'Images', 'dog_0002', '00001.jpg'))
    write_frame(os.path.join(root, 'Images', 'dog_0002', '00002.jpg'))
    write_binary_label(os.path.join(root, 'Labels', 'dog_0002', '00001.jpg'), (0, 16, 0, 24))
    with open(os.path.join(root, 'all.txt'), 'w') as file:
        file.write('cat_0001\ndog_0002\n')
    return root


def compressed_rle(box, size=(H, W)):
    rle = mask_utils.encode(np.asfortranarray(label_with({1: box}, size)))
    return {'size': rle['size'], 'counts': rle['counts'].decode('ascii')}


def uncompressed_rle(box, size=(H, W)):
    flat = label_with({1: box}, size).ravel(order='F')
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    return {'size': list(size), 'counts': np.diff(bounds).tolist()}


COCO_ANNOTATIONS = [  # (id, image_id, segmentation, iscrowd); kept: 1, 2, 3
    (1, 1, [[2.0, 2.0, 20.0, 2.0, 20.0, 14.0, 2.0, 14.0]], 0),   # polygon, ~216 px
    (2, 1, 'compressed', 0),                                     # RLE string, 80 px
    (3, 2, 'uncompressed', 0),                                   # RLE counts list, 64 px
    (4, 2, [[0.0, 0.0, 40.0, 0.0, 40.0, 30.0, 0.0, 30.0]], 1),   # crowd: dropped
    (5, 2, [[30.0, 30.0, 31.0, 30.0, 31.0, 31.0]], 0),           # tiny: dropped
]


def write_coco(root):
    """COCO 2017 layout with two 32x48 images and the annotations above."""
    segmentations = {'compressed': compressed_rle((20, 28, 30, 40)),
                     'uncompressed': uncompressed_rle((10, 18, 10, 18))}
    annotations = [dict(id=ann_id, image_id=image_id, category_id=1, iscrowd=crowd, area=0.0,
                        bbox=[0, 0, 1, 1], segmentation=segmentations.get(str(seg), seg))
                   for ann_id, image_id, seg, crowd in COCO_ANNOTATIONS]
    images = [dict(id=i, file_name=f'{i:012d}.jpg', height=H, width=W) for i in (1, 2)]
    for image in images:
        write_frame(os.path.join(root, 'train2017', image['file_name']), seed=image['id'])
    path = os.path.join(root, 'annotations', 'instances_train2017.json')
    os.makedirs(os.path.dirname(path))
    with open(path, 'w') as file:
        json.dump(dict(images=images, annotations=annotations,
                       categories=[dict(id=1, name='thing')]), file)
    return root
