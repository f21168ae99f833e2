"""A stand-in for the OSMN model in train-step tests: a linear regressor with the same
interface (``model(batch, training)``, ``loss``, ``regularization_loss``,
``trainable_variables``) whose gradients are easy to compute by hand.

``logits = image @ w`` for ``image [B, 3]``; ``loss = sum((logits - label)^2)``, so the
gradient of a batch is ``2 * image^T (image @ w - label)``.
"""
import numpy as np
import tensorflow as tf

INITIAL_W = np.array([1.0, -2.0, 0.5], np.float32)


class StandIn(tf.Module):

    def __init__(self):
        super().__init__()
        self.w = tf.Variable(INITIAL_W, name='w')

    def __call__(self, batch, training=False):
        return tf.linalg.matvec(batch['image'], self.w)

    def loss(self, logits, label):
        return tf.reduce_sum((logits - label) ** 2)

    def regularization_loss(self):
        return tf.constant(0.0)


def batches(num, size=4, seed=0):
    """``num`` batch dicts of ``size`` samples (numpy float32)."""
    rng = np.random.default_rng(seed)
    return [dict(image=rng.normal(size=(size, 3)).astype(np.float32),
                 label=rng.normal(size=(size,)).astype(np.float32)) for _ in range(num)]


def gradient(w, batch):
    """The exact gradient of the stand-in's loss at weights ``w``."""
    return 2 * batch['image'].T @ (batch['image'] @ w - batch['label'])
