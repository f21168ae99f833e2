"""Build two-object clips from a single-object DAVIS set: each sequence (host) gets the object
of the next sequence in its split list (donor) pasted in, frame by frame.

    python tools/misc/make_pasted_clips.py DATA_ROOT OUT [--scale 0.5] [--split val]

DATA_ROOT is a DAVIS 2016 layout (``ImageSets/2016/<split>.txt``, ``JPEGImages/480p``,
``Annotations/480p``); OUT becomes a DAVIS 2017 layout with one clip ``<host>+<donor>`` per
sequence (ids 1 = host object, 2 = pasted object, ``ImageSets/2017/val.txt``), so any config
scores it with
``tools/test.py CONFIG CKPT --eval J F --cfg-options data.test.data_root=OUT data.test.version=2017``.
OUT must not exist yet or be empty. Keep such clips out of training data.
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

from osmnseg.datasets.pasted_clips import pasted_clip
from osmnseg.io.folders import FRAME_EXTENSIONS, by_stem, list_files, read_split_list
from osmnseg.io.images import read_image
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.utils.errors import OsmnsegError, OutputError

RESOLUTION = '480p'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Two-object clips by pasting objects.')
    parser.add_argument('data_root', help='DAVIS 2016 layout folder')
    parser.add_argument('out', help='output folder (new or empty)')
    parser.add_argument('--split', default='val', help='split list of ImageSets/2016')
    parser.add_argument('--scale', type=float, default=0.5,
                        help='size of the pasted frame relative to the host (0, 1]')
    return parser.parse_args(argv)


def sequence_frames(data_root, name):
    """``[(frame, mask)]`` generator of one sequence (frames and masks paired by name)."""
    image_dir = os.path.join(data_root, 'JPEGImages', RESOLUTION, name)
    label_dir = os.path.join(data_root, 'Annotations', RESOLUTION, name)
    images = by_stem(image_dir, list_files(image_dir, FRAME_EXTENSIONS, 'frame'))
    labels = by_stem(label_dir, list_files(label_dir, ('.png',), 'annotation'))
    for stem in sorted(images):
        if stem not in labels:
            raise OsmnsegError(f'{images[stem]} has no annotation in {label_dir}; pasted clips '
                               'need a mask on every frame.')
        yield read_image(images[stem]), (load_index_png(labels[stem]) > 0).astype(np.uint8)


def write_clip(out, name, frames):
    """Write ``frames`` (``(frame, index mask)``) as JPEGs and palette PNGs; returns the count."""
    image_dir = os.path.join(out, 'JPEGImages', RESOLUTION, name)
    label_dir = os.path.join(out, 'Annotations', RESOLUTION, name)
    os.makedirs(image_dir)
    os.makedirs(label_dir)
    count = 0
    for count, (frame, index) in enumerate(frames, 1):
        Image.fromarray(frame).save(os.path.join(image_dir, f'{count - 1:05d}.jpg'), quality=95)
        save_palette_png(os.path.join(label_dir, f'{count - 1:05d}.png'), index)
    return count


def main(argv=None):
    args = parse_args(argv)
    try:
        if os.path.exists(args.out) and (not os.path.isdir(args.out) or os.listdir(args.out)):
            raise OutputError(f'OUT {args.out} exists and is not an empty folder; choose a new '
                              'folder (clips are never written over other files).')
        if not 0 < args.scale <= 1:
            raise OsmnsegError(f'--scale must be in (0, 1], got {args.scale}.')
        names = read_split_list(os.path.join(args.data_root, 'ImageSets', '2016',
                                             f'{args.split}.txt'))
        if len(names) < 2:
            raise OsmnsegError(f'the {args.split} split of {args.data_root} lists '
                               f'{len(names)} sequence(s); pasting needs at least two.')
        clips = []
        for position, host in enumerate(names):
            donor = names[(position + 1) % len(names)]
            name = f'{host}+{donor}'
            frames = pasted_clip(sequence_frames(args.data_root, host),
                                 sequence_frames(args.data_root, donor), args.scale)
            count = write_clip(args.out, name, frames)
            clips.append(name)
            print(f'{name}: {count} frames')
        split_dir = os.path.join(args.out, 'ImageSets', '2017')
        os.makedirs(split_dir, exist_ok=True)
        with open(os.path.join(split_dir, 'val.txt'), 'w', encoding='utf-8') as file:
            file.write('\n'.join(clips) + '\n')
    except OsmnsegError as err:
        sys.exit(f'error: {err}')
    print(f'{len(clips)} two-object clips in {args.out}')


if __name__ == '__main__':
    main()
