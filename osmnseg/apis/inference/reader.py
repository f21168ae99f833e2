"""Reading a video's frames and first-frame annotations (arrays or files) for the core."""
import os

import numpy as np
import tensorflow as tf

from osmnseg.io.images import read_image, read_image_size
from osmnseg.io.masks import binarize_mask, resize_mask
from osmnseg.io.palette import load_index_png
from osmnseg.utils.errors import DataError


def read_frame(frame):
    """``[H, W, 3] uint8`` RGB from a frame array or image file (:func:`decode_frame`)."""
    return decode_frame(str(frame)) if isinstance(frame, (str, os.PathLike)) \
        else np.asarray(frame)


def decode_frame(path):
    """``[H, W, 3] uint8`` RGB of an image file.

    JPEG files go through TensorFlow's libjpeg-turbo with the accurate integer DCT: the same
    pixels as PIL's decoding (its default), in about half the time, as PIL's image-to-numpy
    copy is skipped. Other formats, and files TensorFlow cannot decode (missing, truncated,
    CMYK), go to :func:`~osmnseg.io.images.read_image`, which reads them or raises its
    one-line DataError.
    """
    if os.path.splitext(path)[1].lower() in ('.jpg', '.jpeg'):
        try:
            with open(path, 'rb') as file:
                data = file.read()
            return tf.io.decode_jpeg(data, channels=3, dct_method='INTEGER_ACCURATE').numpy()
        except (OSError, tf.errors.OpError):
            pass
    return read_image(path)


def frame_size(frame):
    """``(H, W)`` of a frame array or image file (reads the file header only)."""
    if isinstance(frame, (str, os.PathLike)):
        return read_image_size(str(frame))
    return np.shape(frame)[:2]


class AnnotationReader:
    """Index masks of the annotated frames, read on first use and cached.

    Args:
        annotations: ``{frame index: [H, W] integer index mask or PNG path}``.
    """

    def __init__(self, annotations):
        self.annotations = annotations
        self.cache = {}

    def __call__(self, index):
        """``[H, W]`` index mask of frame ``index``.

        Raises:
            DataError: frame ``index`` has no annotation.
        """
        if index not in self.cache:
            if index not in self.annotations:
                raise DataError(f'no annotation given for frame {index}, where an object '
                                'starts; pass its index PNG in annotations.')
            value = self.annotations[index]
            self.cache[index] = load_index_png(value) if isinstance(value, (str, os.PathLike)) \
                else np.asarray(value)
        return self.cache[index]

    def first_masks(self, index, object_ids, first_frame, size=None):
        """``{obj: [H, W] uint8 0/1}`` of the objects whose first annotated frame is ``index``,
        nearest-resized to ``size = (H, W)`` when given (the frame's size).

        Raises:
            DataError: such an object has no pixel in that frame's annotation.
        """
        masks = {}
        for obj in object_ids:
            if first_frame.get(obj, 0) != index:
                continue
            masks[obj] = binarize_mask(self(index), obj)
            if not masks[obj].any():
                raise DataError(f'object {obj} has an empty mask in its first annotated frame '
                                f'{index}; remove it from the object list or fix the annotation.')
            if size is not None:
                masks[obj] = resize_mask(masks[obj], size)
        return masks
