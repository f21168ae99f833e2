"""Pooling ops (NHWC). TF's SAME average pool excludes padding from the average, as in TF1."""
import tensorflow as tf


def max_pool(x, size, stride):
    """SAME max pool: ``[B,H,W,C]`` -> ``[B,ceil(H/stride),ceil(W/stride),C]``."""
    return tf.nn.max_pool2d(x, size, stride, 'SAME')


def avg_pool(x, size, stride):
    """SAME average pool (padding excluded from the mean): output size ``ceil(H/stride)``."""
    return tf.nn.avg_pool2d(x, size, stride, 'SAME')


def ceil_valid_avg_pool(x, size):
    """Non-overlapping ``size x size`` average pool whose output size is ``ceil(H/size)``.

    Equals a VALID average pool (kernel = stride = ``size``) when H and W are multiples of
    ``size``; otherwise the last, partial window averages only the pixels it covers. Used by the
    lite spatial modulator so it fits MobileNet's SAME-strided maps at any size (quirk 5 fixed).

    Args:
        x: ``[B,H,W,C]`` float tensor.
        size: window size and stride.
    """
    height, width = tf.shape(x)[1], tf.shape(x)[2]
    paddings = [[0, 0], [0, (-height) % size], [0, (-width) % size], [0, 0]]
    total = tf.nn.avg_pool2d(tf.pad(x, paddings), size, size, 'VALID')
    coverage = tf.nn.avg_pool2d(tf.pad(tf.ones_like(x[..., :1]), paddings), size, size, 'VALID')
    return total / coverage
