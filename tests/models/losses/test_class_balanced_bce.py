"""ClassBalancedBCE on hand-computed cases."""
import math

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.registry import LOSSES
from osmnseg.utils.errors import BuildError


def bce(x, y):
    return max(x, 0) - x * y + math.log(1 + math.exp(-abs(x)))


def test_hand_computed_sum_over_batch():
    logits = tf.constant([2.0, -1.0, 0.5, -3.0], shape=[2, 1, 2, 1])
    labels = tf.constant([1.0, 0.0, 0.0, 0.0], shape=[2, 1, 2, 1])
    # N+ = 1, N- = 3, N = 4: L = 3/4 * BCE(2, 1) + 1/4 * (BCE(-1,0) + BCE(.5,0) + BCE(-3,0))
    expected = 0.75 * bce(2, 1) + 0.25 * (bce(-1, 0) + bce(0.5, 0) + bce(-3, 0))
    loss = LOSSES.build(dict(type='ClassBalancedBCE'))
    np.testing.assert_allclose(float(loss(logits, labels)), expected, rtol=1e-6)
    mean = LOSSES.build(dict(type='ClassBalancedBCE', reduction='mean'))
    np.testing.assert_allclose(float(mean(logits, labels)), expected / 4, rtol=1e-6)


def test_zero_without_foreground_and_labels_thresholded():
    loss = LOSSES.build(dict(type='ClassBalancedBCE'))
    assert float(loss(tf.random.normal([1, 4, 4, 1]), tf.fill([1, 4, 4, 1], 0.4))) == 0.0


def test_float32_result_for_low_precision_logits():
    loss = LOSSES.build(dict(type='ClassBalancedBCE'))
    out = loss(tf.zeros([1, 2, 2, 1], tf.bfloat16), tf.constant([1.0, 0, 0, 1], shape=[1, 2, 2, 1]))
    assert out.dtype == tf.float32
    np.testing.assert_allclose(float(out), 4 * 0.5 * math.log(2), rtol=1e-6)


def test_bad_reduction_is_a_build_error():
    with pytest.raises(BuildError, match='reduction'):
        LOSSES.build(dict(type='ClassBalancedBCE', reduction='avg'))
