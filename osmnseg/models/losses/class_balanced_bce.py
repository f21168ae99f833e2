"""Class-balanced binary cross-entropy of OSVOS/OSMN (spec §5.1)."""
import tensorflow as tf

from osmnseg.registry import LOSSES
from osmnseg.utils.errors import BuildError


@LOSSES.register_module()
class ClassBalancedBCE:
    """``L = (N-/N) * sum_{y=1} BCE + (N+/N) * sum_{y=0} BCE`` over all pixels of the batch.

    ``y = [label > 0.5]``; N+ / N- count foreground / background pixels of the whole batch (the
    class weights are global, not per image); per-pixel ``BCE(x, y) = max(x,0) - x*y +
    log(1 + exp(-|x|))``. A batch without foreground gives 0.

    Args:
        reduction: ``'sum'`` (the original; scales with B*H*W) or ``'mean'`` (divided by the
            number of pixels N).

    Call: ``loss(logits [B,H,W,1], label [B,H,W,1]) -> scalar float32`` (computed in float32).
    """

    def __init__(self, reduction='sum'):
        if reduction not in ('sum', 'mean'):
            raise BuildError(f"ClassBalancedBCE reduction must be 'sum' or 'mean', "
                             f"got {reduction!r}; fix model.loss.reduction.")
        self.reduction = reduction

    def __call__(self, logits, label):
        x = tf.cast(logits, tf.float32)
        y = tf.cast(tf.cast(label, tf.float32) > 0.5, tf.float32)
        bce = tf.nn.relu(x) - x * y + tf.math.log1p(tf.exp(-tf.abs(x)))
        num_pos = tf.reduce_sum(y)
        num_neg = tf.reduce_sum(1.0 - y)
        total = num_pos + num_neg
        loss = (num_neg / total) * tf.reduce_sum(y * bce) + \
               (num_pos / total) * tf.reduce_sum((1.0 - y) * bce)
        if self.reduction == 'mean':
            loss = loss / total
        return loss
