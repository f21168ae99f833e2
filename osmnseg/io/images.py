"""Image files: decode a frame as RGB, read sizes from headers, check that sizes agree.

Every failure to open a file is one :class:`~osmnseg.utils.errors.DataError` line that names
the file and the fix (:func:`open_image`); the readers of index PNGs (:mod:`osmnseg.io.palette`)
open their files the same way.
"""
import contextlib
import os

import numpy as np
from PIL import Image, UnidentifiedImageError

from osmnseg.utils.errors import DataError


@contextlib.contextmanager
def open_image(path, folder):
    """``PIL.Image.open(path)`` whose failures become one-line DataErrors naming the file.

    Args:
        path: the image file.
        folder: what holds it, for the message (``'frame'``: "check the data root and the
            frame folder").

    Raises:
        DataError: the file is missing, or it is not a readable (complete) image.
    """
    try:
        with Image.open(path) as image:
            yield image
    except FileNotFoundError as err:
        raise DataError(f'{path} does not exist; check the data root and the {folder} '
                        'folder.') from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise DataError(f'{path} is not a readable image ({err}); replace the corrupted '
                        'file.') from err


def read_image(path):
    """Read a frame as RGB.

    Returns:
        ``[H, W, 3] uint8`` RGB; grey (and palette, CMYK, ...) images are converted, so a grey
        frame has three equal channels.

    Raises:
        DataError: the file is missing or is not a readable (complete) image.
    """
    with open_image(path, 'frame') as image:
        image.load()  # decode now, so a truncated file fails here and names itself
        return np.asarray(image if image.mode == 'RGB' else image.convert('RGB'),
                          dtype=np.uint8)


def save_image(path, image):
    """Write an ``[H, W, 3] uint8`` RGB array (or a PIL image) to ``path``, its format from
    the extension (parents created)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    (image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))).save(path)


def read_image_size(path):
    """``(H, W)`` of an image from its header (no decoding).

    Raises:
        DataError: the file is missing or not a readable image.
    """
    with open_image(path, 'image') as image:
        width, height = image.size
    return height, width


def check_one_size(paths, what):
    """``(H, W)`` shared by every image of ``paths`` (read from the headers).

    Args:
        paths: image files, e.g. the frames of one sequence in order.
        what: what they are, for the message (e.g. ``"sequence 'bike'"``).

    Raises:
        DataError: an image's size differs from the first one's.
    """
    size = read_image_size(paths[0])
    for path in paths[1:]:
        other = read_image_size(path)
        if other != size:
            raise DataError(f'{path} is {other[1]}x{other[0]} (WxH) but {paths[0]} is '
                            f'{size[1]}x{size[0]}; all frames of {what} must have one size.')
    return size


def check_same_size(path, size, reference_path, reference_size):
    """Raise a DataError when an annotation (``path``, ``size = (H, W)``) and its frame
    (``reference_path``, ``reference_size``) differ in size."""
    if tuple(size) != tuple(reference_size):
        raise DataError(f'{path} is {size[1]}x{size[0]} (WxH) but {reference_path} is '
                        f'{reference_size[1]}x{reference_size[0]}; annotations must have the '
                        'size of their frames.')
