"""Mask operations every layer shares: object ids, object selection, nearest resize, disk
dilation.

A mask here is a ``[H, W]`` array: an index mask holds object ids (0 = background), a binary
mask is non-zero on the object. These functions are the only implementation of each operation;
the data pipelines, the evaluation metrics and inference all call them.
"""
import numpy as np
from PIL import Image

from osmnseg.utils.errors import DataError


def object_ids_in(index_mask):
    """The objects an index mask holds.

    Args:
        index_mask: ``[H, W]`` integer array of object ids (0 = background).

    Returns:
        ``list[int]``: the ids greater than 0 that occur in the mask, ascending (empty for a
        mask of background only).
    """
    return [int(value) for value in np.unique(index_mask) if value > 0]


def binarize_mask(index_mask, obj_id=None):
    """Select one object of an index mask.

    Args:
        index_mask: ``[H, W]`` integer array of object ids (or 0/255 grey levels).
        obj_id: the object's id; ``None`` selects every non-zero pixel.

    Returns:
        ``[H, W] uint8`` with values 0/1.
    """
    selected = index_mask > 0 if obj_id is None else index_mask == obj_id
    return selected.astype(np.uint8)


def resize_mask(mask, size):
    """Resize an ``[h, w]`` index or binary mask to ``size = (H, W)`` with PIL's nearest
    neighbour (values kept).

    Returns:
        the mask itself when it already has that size, else ``[H, W] uint8``.
    """
    mask = np.asarray(mask)
    if mask.shape[:2] == tuple(size):
        return mask
    image = Image.fromarray(mask.astype(np.uint8, copy=False))
    return np.asarray(image.resize((size[1], size[0]), Image.NEAREST))


def disk(radius):
    """Disk structuring element, as ``skimage.morphology.disk(radius)``.

    Args:
        radius: non-negative whole number of pixels.

    Returns:
        ``[2r+1, 2r+1] uint8``: 1 where ``dx² + dy² <= r²``.
    """
    if radius < 0 or radius != int(radius):
        raise ValueError(f'disk radius must be a non-negative whole number, got {radius}')
    offsets = np.arange(-int(radius), int(radius) + 1)
    dx, dy = np.meshgrid(offsets, offsets)
    return (dx ** 2 + dy ** 2 <= radius ** 2).astype(np.uint8)


def binary_dilation(mask, structure):
    """Binary dilation with zero padding: ``out[y, x] = OR over structure offsets (dy, dx) of
    mask[y - dy, x - dx]`` (offsets relative to the structure's centre).

    Equal to ``scipy.ndimage.binary_dilation(mask, structure)``; for a symmetric structure also to
    ``cv2.dilate``. Each structure row is split into runs of ones; a run becomes a sliding-window
    sum over a row-wise cumulative sum, so a disk of radius r costs O(r) array passes, not O(r²).

    Args:
        mask: ``[H, W]`` binary array.
        structure: ``[h, w]`` binary array with odd h and w.

    Returns:
        ``[H, W] bool``.
    """
    mask = np.asarray(mask).astype(bool)
    structure = np.asarray(structure).astype(bool)
    if structure.ndim != 2 or structure.shape[0] % 2 == 0 or structure.shape[1] % 2 == 0:
        raise ValueError(f'structure must be 2-D with odd sides, got shape {structure.shape}')
    height, width = mask.shape
    pad_y, pad_x = structure.shape[0] // 2, structure.shape[1] // 2
    padded = np.pad(mask, ((pad_y, pad_y), (pad_x, pad_x)))
    # column_sums[r, c] = number of ones in padded[r, :c]
    column_sums = np.zeros((padded.shape[0], padded.shape[1] + 1), np.int32)
    np.cumsum(padded, axis=1, out=column_sums[:, 1:])
    out = np.zeros((height, width), bool)
    windows = {}
    for row, (first, last) in _structure_runs(structure):
        # Run columns first..last cover source columns x + 2*pad_x - last .. x + 2*pad_x - first.
        if (first, last) not in windows:
            start, stop = 2 * pad_x - last, 2 * pad_x - first + 1
            windows[first, last] = (column_sums[:, stop:stop + width] -
                                    column_sums[:, start:start + width]) > 0
        top = 2 * pad_y - row
        out |= windows[first, last][top:top + height]
    return out


def _structure_runs(structure):
    """Yield ``(row, (first_col, last_col))`` for every horizontal run of ones in ``structure``."""
    for row, values in enumerate(structure):
        padded = np.concatenate([[False], values, [False]]).astype(np.int8)
        changes = np.flatnonzero(np.diff(padded))
        for first, stop in zip(changes[::2], changes[1::2]):
            yield row, (int(first), int(stop) - 1)


def checked_object_mask(obj, mask, size):
    """Object ``obj``'s mask given for a frame of ``size = (H, W)`` as ``[H, W] uint8`` 0/1
    (any non-zero pixel is the object).

    Raises:
        DataError: the mask is not ``H x W``.
    """
    mask = np.asarray(mask)
    if mask.shape != tuple(size):
        raise DataError(f'the mask of object {obj} is {"x".join(map(str, mask.shape))} but the '
                        f'frame is {size[0]}x{size[1]}; give the mask at the frame\'s size.')
    return (mask != 0).astype(np.uint8)
