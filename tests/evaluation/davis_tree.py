"""A tiny DAVIS tree and result folders written with PIL into ``tmp_path``.

Frames are ``H x W = 24 x 32``. Sequence ``two`` has objects 1 and 2 in 5 frames, sequence
``one`` has object 1 in 4 frames; objects are rectangles so scores are easy to reason about.
"""
import os

import numpy as np

from osmnseg.io.palette import save_palette_png

H, W = 24, 32


def rectangles(boxes, size=(H, W)):
    """``[H, W] uint8`` index mask with ``{obj_id: (y0, y1, x0, x1)}`` rectangles."""
    mask = np.zeros(size, np.uint8)
    for obj_id, (y0, y1, x0, x1) in boxes.items():
        mask[y0:y1, x0:x1] = obj_id
    return mask


def sequence_masks(name):
    """``[T, H, W] uint8`` ground truth of the synthetic sequence ``name``."""
    if name == 'two':
        return np.stack([rectangles({1: (2, 10, 2 + t, 12 + t), 2: (14, 22, 16, 28)})
                         for t in range(5)])
    return np.stack([rectangles({1: (4, 16, 4 + 2 * t, 14 + 2 * t)}) for t in range(4)])


def write_masks(folder, masks, names=None):
    """Write ``[T, H, W]`` masks as ``folder/00000.png ...`` palette PNGs."""
    names = names or [f'{t:05d}' for t in range(len(masks))]
    for name, mask in zip(names, masks):
        save_palette_png(os.path.join(folder, f'{name}.png'), mask)
