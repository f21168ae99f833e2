"""A frame's network input made by TensorFlow inside one compiled call.

Resizing and normalising a frame with numpy and PIL cost about 8 ms per 480p frame on one
core between two model calls; here the two steps are TensorFlow ops on all cores (about 2.5
ms), the uint8 frame goes in and the network input comes out as a tensor the model call
consumes without another copy. The resize samples bilinearly at the output pixels' centres
and rounds to uint8 levels; the normalisation is the float32 arithmetic of
:func:`~osmnseg.datasets.pipelines.functional.normalize_image`.
:func:`~osmnseg.datasets.pipelines.inference_inputs.frame_input` is the numpy twin the
TensorFlow-free runtime uses (same sampling, the last float bit aside). Training resizes with
PIL, whose downscaling filter also spreads over the pixels between the samples; on the
recipe's dev sequences the two test-time resizes score the same J&F within 0.002
(docs/inference.md, "The frame loop and its timing").
"""
import functools

import tensorflow as tf

from osmnseg.datasets.pipelines.functional import CAFFE_MEAN_BGR, check_normalize_mode


class FrameTensor:
    """``[H, W, 3] uint8`` frame -> ``[1, h, w, 3] float32`` network input, compiled once
    for every frame size and working size.

    Args:
        normalize: keyword arguments of
            :func:`~osmnseg.datasets.pipelines.functional.normalize_image` (``mode``,
            ``mean``, ``scale``, ``to_bgr``), e.g. ``InferenceSettings.normalize``.
    """

    def __init__(self, normalize):
        self.mode = normalize.get('mode', 'mean_subtract')
        check_normalize_mode(self.mode)
        self.mean = tuple(float(v) for v in normalize.get('mean', CAFFE_MEAN_BGR))
        self.scale = float(normalize.get('scale', 1.0))
        self.to_bgr = bool(normalize.get('to_bgr', True))
        self._compiled = tf.function(self._network_input, autograph=False, input_signature=[
            tf.TensorSpec([None, None, 3], tf.uint8), tf.TensorSpec([2], tf.int32)])

    @staticmethod
    def shared(normalize):
        """The one :class:`FrameTensor` of these normalisation settings in this process, so
        that the cores of successive videos reuse its compiled graph."""
        return _shared(tuple(sorted((key, tuple(value) if isinstance(value, (list, tuple))
                                     else value) for key, value in normalize.items())))

    def __call__(self, frame, work_size):
        """The network input of ``frame`` (``[H, W, 3] uint8``) at ``work_size = (h, w)``."""
        return self._compiled(frame, tf.constant(work_size, tf.int32))

    def _network_input(self, frame, work_size):
        needs_resize = tf.reduce_any(tf.shape(frame)[:2] != work_size)
        image = tf.cond(needs_resize, lambda: _resized(frame, work_size),
                        lambda: tf.cast(frame, tf.float32))[None]
        if self.mode == 'rgb_unit':
            return image / 127.5 - 1.0
        if self.to_bgr:
            image = tf.reverse(image, axis=[-1])
        image = image - tf.constant(self.mean, tf.float32)
        return image * self.scale if self.scale != 1 else image


@functools.lru_cache(maxsize=None)
def _shared(normalize_items):
    return FrameTensor(dict(normalize_items))


def _resized(frame, size):
    """``[h, w, 3] float32`` bilinear resize of a ``[H, W, 3] uint8`` frame, rounded to uint8
    levels (the kernel reads the uint8 frame itself: no float copy of a large frame)."""
    return tf.clip_by_value(tf.round(tf.image.resize(frame, size)), 0.0, 255.0)
