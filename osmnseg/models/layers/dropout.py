"""Dropout with its own checkpointable random stream."""
import tensorflow as tf

from osmnseg.models.layers.base import Module


class Dropout(Module):
    """Inverted dropout (slim ``dropout``): active only when ``training`` is true.

    The mask comes from a ``tf.random.Generator`` owned by the layer. Its seed is drawn at
    construction from TF's global seed, so ``tf.random.set_seed(s)`` before building the model
    makes runs reproducible, and its state is part of a native checkpoint, so a resumed run
    continues the same stream. The generator state is not a network weight and is therefore not
    listed in ``reference_variables()``.

    Args:
        rate: drop probability (0.5 in OSMN, i.e. keep probability 0.5).
        seed: explicit generator seed; default: drawn from the global seed.

    Call: ``x [B,...]`` -> same shape and dtype; kept values are divided by ``1 - rate``.
    """

    def __init__(self, rate=0.5, seed=None):
        super().__init__('')
        self.rate = rate
        if seed is None:
            seed = int(tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int64).numpy())
        self.generator = tf.random.Generator.from_seed(seed)

    def __call__(self, x, training=False):
        if not training or self.rate == 0:
            return x
        keep = 1.0 - self.rate
        mask = self.generator.uniform(tf.shape(x), dtype=tf.float32) < keep
        return tf.where(mask, x / tf.cast(keep, x.dtype), tf.zeros_like(x))
