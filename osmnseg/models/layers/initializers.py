"""Weight initialisers of the original networks (§2.1, §2.3 of the OSMN spec).

Each factory returns ``init(shape) -> float32 tensor``. Random ones use TF's stateful ops, so
they are reproducible after ``tf.random.set_seed(seed)`` when the model is built in the same
order.
"""
import tensorflow as tf


def normal(stddev):
    """Normal(0, stddev): VGG-family kernels (std 0.001)."""
    return lambda shape: tf.random.normal(shape, stddev=stddev, dtype=tf.float32)


def truncated_normal(stddev):
    """Truncated Normal(0, stddev) (re-drawn beyond 2 std): MobileNet kernels (std 0.09)."""
    return lambda shape: tf.random.truncated_normal(shape, stddev=stddev, dtype=tf.float32)


def constant(value):
    """Constant fill: zero biases, the zero kernels / unit biases of the modulator outputs."""
    return lambda shape: tf.fill(shape, tf.constant(value, tf.float32))


zeros = constant(0.0)
ones = constant(1.0)
