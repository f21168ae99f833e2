"""Tiny evaluation sequences written to disk, and predictions in the shape metrics read."""
import collections
import os

import numpy as np
from PIL import Image

from osmnseg.datasets.sequence import VideoSequence
from osmnseg.io.palette import save_palette_png

SIZE = (8, 8)

Prediction = collections.namedtuple('Prediction', 'index mask')
"""What ``process`` reads of a frame result: its frame index and merged ``[H, W]`` ids."""


def boxes(*placed):
    """``[8, 8] uint8`` index mask with ``value`` on ``rows x cols`` for each
    ``(value, rows, cols)`` given as slices."""
    mask = np.zeros(SIZE, np.uint8)
    for value, rows, cols in placed:
        mask[rows, cols] = value
    return mask


def write_sequence(root, name, annotations, num_frames, label_threshold=None, grey=False):
    """A ``VideoSequence`` whose annotated frames ``{index: mask}`` are PNGs under ``root``.

    Args:
        label_threshold: ``None``: the objects are the ids of the first annotation; a grey
            level: a single-object sequence (DAVIS 2016: 0, YouTube-Objects: 127), object 1.
        grey: write 8-bit grey PNGs (YouTube-Objects 0/255 labels) instead of palette PNGs.
    """
    frame_names = [f'{i:05d}' for i in range(num_frames)]
    annotation_paths = {}
    for index, mask in annotations.items():
        path = os.path.join(root, name, frame_names[index] + '.png')
        if grey:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Image.fromarray(mask, 'L').save(path)
        else:
            save_palette_png(path, mask)
        annotation_paths[frame_names[index]] = path
    first = annotations[min(annotations)]
    object_ids = sorted(int(k) for k in np.unique(first) if k) if label_threshold is None else [1]
    return VideoSequence(
        name=name, frame_paths=[os.path.join(root, name, f + '.jpg') for f in frame_names],
        annotation_paths=annotation_paths, object_ids=object_ids,
        first_frame={k: min(annotations) for k in object_ids},
        eval_frames=list(annotation_paths), original_size=SIZE, label_threshold=label_threshold)


def predictions(masks):
    """``[Prediction]`` of ``{frame index: mask}`` in frame order."""
    return [Prediction(index, masks[index]) for index in sorted(masks)]
