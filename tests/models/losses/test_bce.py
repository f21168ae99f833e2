"""BinaryCrossEntropy on hand-computed cases, and why the toy recipe uses it."""
import math

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.registry import LOSSES
from osmnseg.utils.errors import BuildError


def bce(x, y):
    return max(x, 0) - x * y + math.log(1 + math.exp(-abs(x)))


LOGITS = tf.constant([2.0, -1.0, 0.5, -3.0], shape=[2, 1, 2, 1])
LABELS = tf.constant([1.0, 0.0, 0.3, 0.0], shape=[2, 1, 2, 1])  # 0.3 counts as background


def test_hand_computed_sum_and_mean():
    expected = bce(2, 1) + bce(-1, 0) + bce(0.5, 0) + bce(-3, 0)
    loss = LOSSES.build(dict(type='BinaryCrossEntropy'))
    np.testing.assert_allclose(float(loss(LOGITS, LABELS)), expected, rtol=1e-6)
    mean = LOSSES.build(dict(type='BinaryCrossEntropy', reduction='mean'))
    np.testing.assert_allclose(float(mean(LOGITS, LABELS)), expected / 4, rtol=1e-6)


def test_pos_weight_scales_object_pixels_only():
    expected = 3.0 * bce(2, 1) + bce(-1, 0) + bce(0.5, 0) + bce(-3, 0)
    loss = LOSSES.build(dict(type='BinaryCrossEntropy', pos_weight=3.0))
    np.testing.assert_allclose(float(loss(LOGITS, LABELS)), expected, rtol=1e-6)


def test_optimum_is_the_calibrated_logit_unlike_class_balanced():
    """One free logit for 90 background and 10 object pixels: BCE's optimum is log(10/90)
    (probability 0.1, the true frequency); the class-balanced optimum is shifted by
    log(N-/N+) = log(9) to logit 0, i.e. probability 0.5 everywhere."""
    label = tf.constant([1.0] * 10 + [0.0] * 90, shape=[1, 10, 10, 1])
    for loss_type, optimum in (('BinaryCrossEntropy', math.log(10 / 90)),
                               ('ClassBalancedBCE', 0.0)):
        loss = LOSSES.build(dict(type=loss_type))
        logit = tf.Variable(1.0)
        for _ in range(300):
            with tf.GradientTape() as tape:
                value = loss(tf.fill([1, 10, 10, 1], logit), label)
            logit.assign_sub(0.01 * tape.gradient(value, logit))
        assert float(logit) == pytest.approx(optimum, abs=1e-3), loss_type


def test_float32_result_for_low_precision_logits():
    loss = LOSSES.build(dict(type='BinaryCrossEntropy'))
    out = loss(tf.zeros([1, 2, 2, 1], tf.bfloat16), tf.constant([1.0, 0, 0, 1], shape=[1, 2, 2, 1]))
    assert out.dtype == tf.float32
    np.testing.assert_allclose(float(out), 4 * math.log(2), rtol=1e-6)


@pytest.mark.parametrize('kwargs, key', [(dict(reduction='avg'), 'reduction'),
                                         (dict(pos_weight=0), 'pos_weight')])
def test_bad_arguments_are_build_errors_naming_the_key(kwargs, key):
    with pytest.raises(BuildError, match=f'model.loss.{key}'):
        LOSSES.build(dict(type='BinaryCrossEntropy', **kwargs))
