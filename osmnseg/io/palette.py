"""Index PNGs as DAVIS and YouTube-VOS store them: read object-id masks, write palette masks.

An annotation is a ``uint8 [H, W]`` array of object ids (0 = background, 1..n objects). DAVIS
and YouTube-VOS save it as a palette ('P') PNG whose palette is the PASCAL VOC colour map; tools
and OSMN's own results often use 8-bit grey ('L') PNGs instead. Both read back as the raw index
values; an RGB annotation has lost the ids and is rejected.
"""
import os

import numpy as np
from PIL import Image

from osmnseg.io.images import open_image
from osmnseg.utils.errors import DataError

INDEX_MODES = ('P', 'L')


def _voc_colormap(num_colors=256):
    """The PASCAL VOC / DAVIS colour map: the bits of the index spread over R, G and B.

    Returns:
        ``[num_colors, 3] uint8``; entry 0 is black, 1 is (128, 0, 0), 2 is (0, 128, 0), ...
    """
    colors = np.zeros((num_colors, 3), np.uint8)
    for index in range(num_colors):
        value, r, g, b = index, 0, 0, 0
        for shift in range(7, -1, -1):
            r |= (value & 1) << shift
            g |= ((value >> 1) & 1) << shift
            b |= ((value >> 2) & 1) << shift
            value >>= 3
        colors[index] = (r, g, b)
    return colors


DAVIS_PALETTE = _voc_colormap()
"""``[256, 3] uint8``: the palette of DAVIS 2017 and YouTube-VOS annotations."""


def save_palette_png(path, index_array):
    """Write an object-id mask as a palette PNG with the DAVIS palette.

    Args:
        path: output file; missing parent folders are created.
        index_array: ``[H, W]`` integer array with values in 0..255 (object ids).
    """
    index_array = np.asarray(index_array)
    if index_array.ndim != 2:
        raise ValueError(f'index_array must be [H, W], got shape {index_array.shape}')
    if index_array.dtype != np.uint8 and index_array.size and (
            index_array.min() < 0 or index_array.max() > 255):
        raise ValueError('index_array values must lie in 0..255 to fit a palette PNG')
    image = Image.fromarray(index_array.astype(np.uint8, copy=False))
    image.putpalette(DAVIS_PALETTE.tobytes())  # turns the 'L' image into a 'P' image
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # zlib level 1: a 480p mask encodes in ~0.7 ms instead of ~1.8 ms (level 6, PIL's
    # default), in ~5 KB instead of ~3 KB; masks are written once per frame beside the model
    image.save(path, format='PNG', compress_level=1)


def _opaque_grey(path, grey_alpha):
    """The grey channel of a ``[H, W, 2]`` grey + alpha annotation (real DAVIS downloads hold
    such files, e.g. DAVIS 2016 ``bear/00077.png``); the alpha must be fully opaque."""
    if not np.all(grey_alpha[..., 1] == 255):
        raise DataError(f'{path} is a grey + alpha (LA) PNG with transparent pixels; object ids '
                        'cannot be read from it. Re-save it as an 8-bit grey (L) PNG.')
    return np.ascontiguousarray(grey_alpha[..., 0])


def load_index_png(path):
    """Read a palette ('P') or 8-bit grey ('L') PNG as its raw index values.

    Args:
        path: the PNG file.

    Returns:
        ``[H, W] uint8`` array (palette indices, or grey levels such as 0/255 binary masks).

    Raises:
        DataError: the file is missing, unreadable, or not an index image (e.g. RGB).
    """
    with open_image(path, 'annotation') as image:
        if image.mode == 'LA':
            return _opaque_grey(path, np.array(image, dtype=np.uint8))
        if image.mode not in INDEX_MODES:
            raise DataError(
                f'{path} is a {image.mode} image, but an annotation must be a palette (P) or '
                f'8-bit grey (L) PNG of object ids; re-save it as an index PNG.')
        return np.array(image, dtype=np.uint8)
