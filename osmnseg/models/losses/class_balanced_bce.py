"""Class-balanced binary cross-entropy of OSVOS/OSMN (spec §5.1)."""
import tensorflow as tf

from osmnseg.models.losses.bce import check_reduction, pixel_bce
from osmnseg.registry import LOSSES


@LOSSES.register_module()
class ClassBalancedBCE:
    """``L = (N-/N) * sum_{y=1} BCE + (N+/N) * sum_{y=0} BCE`` over all pixels of the batch.

    ``y = [label > 0.5]``; N+ / N- count foreground / background pixels of the whole batch (the
    class weights are global, not per image); per-pixel ``BCE(x, y) = max(x,0) - x*y +
    log(1 + exp(-|x|))``. A batch without foreground gives 0.

    The weights favour the object: the loss is minimal at logits shifted by ``log(N-/N+)``, so a
    model trained briefly over-segments at threshold 0.5 (:class:`BinaryCrossEntropy` does not).

    Args:
        reduction: ``'sum'`` (the original; scales with B*H*W) or ``'mean'`` (divided by the
            number of pixels N).

    Call: ``loss(logits [B,H,W,1], label [B,H,W,1]) -> scalar float32`` (computed in float32).
    """

    def __init__(self, reduction='sum'):
        check_reduction(reduction, 'ClassBalancedBCE')
        self.reduction = reduction

    def __call__(self, logits, label):
        bce, y = pixel_bce(logits, label)
        num_pos = tf.reduce_sum(y)
        num_neg = tf.reduce_sum(1.0 - y)
        total = num_pos + num_neg
        loss = (num_neg / total) * tf.reduce_sum(y * bce) + \
               (num_pos / total) * tf.reduce_sum((1.0 - y) * bce)
        if self.reduction == 'mean':
            loss = loss / total
        return loss
