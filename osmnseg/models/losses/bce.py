"""Plain binary cross-entropy: calibrated probabilities for short or from-scratch training."""
import tensorflow as tf

from osmnseg.registry import LOSSES
from osmnseg.utils.errors import BuildError

REDUCTIONS = ('sum', 'mean')


def pixel_bce(logits, label):
    """Per-pixel ``BCE(x, y) = max(x,0) - x*y + log(1 + exp(-|x|))`` in float32, with
    ``y = [label > 0.5]``.

    Returns:
        ``(bce, y)``: two float32 tensors of the logits' shape.
    """
    x = tf.cast(logits, tf.float32)
    y = tf.cast(tf.cast(label, tf.float32) > 0.5, tf.float32)
    return tf.nn.relu(x) - x * y + tf.math.log1p(tf.exp(-tf.abs(x))), y


def check_reduction(reduction, loss_name):
    """Raise a BuildError naming the config key unless ``reduction`` is 'sum' or 'mean'."""
    if reduction not in REDUCTIONS:
        raise BuildError(f"{loss_name} reduction must be 'sum' or 'mean', got {reduction!r}; "
                         'fix model.loss.reduction.')


@LOSSES.register_module()
class BinaryCrossEntropy:
    """``L = sum over all pixels of the batch of w(y) * BCE(x, y)``, ``w(1) = pos_weight``,
    ``w(0) = 1``.

    Unlike :class:`ClassBalancedBCE`, whose weights (N-/N for the object, N+/N for the
    background) shift the optimal logit by ``log(N-/N+)`` (about +2.5 for an object covering
    8 % of the frame), this loss keeps ``sigmoid(logit)`` a calibrated probability, so that
    thresholding at 0.5 (the propagated mask and the merge of §7.5) does not over-segment. Use
    it when the model is trained briefly or from scratch, where the prior shift is not washed
    out by confident logits.

    Args:
        reduction: ``'sum'`` (as ``ClassBalancedBCE``'s original reduction; scales with
            B*H*W) or ``'mean'`` (divided by the number of pixels).
        pos_weight: weight of object pixels (1 = unweighted).

    Call: ``loss(logits [B,H,W,1], label [B,H,W,1]) -> scalar float32`` (computed in float32).
    """

    def __init__(self, reduction='sum', pos_weight=1.0):
        check_reduction(reduction, 'BinaryCrossEntropy')
        if not pos_weight > 0:
            raise BuildError(f'BinaryCrossEntropy pos_weight must be positive, got '
                             f'{pos_weight!r}; fix model.loss.pos_weight.')
        self.reduction = reduction
        self.pos_weight = float(pos_weight)

    def __call__(self, logits, label):
        bce, y = pixel_bce(logits, label)
        loss = tf.reduce_sum((1.0 + (self.pos_weight - 1.0) * y) * bce)
        if self.reduction == 'mean':
            loss = loss / tf.cast(tf.size(bce), tf.float32)
        return loss
