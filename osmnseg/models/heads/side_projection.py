"""The heads' side convs projected by their fuse/score weights, with the projected tap weights
prepared once for inference passes (:mod:`osmnseg.models.layers.prepared`)."""
import functools

import tensorflow as tf

from osmnseg.models.layers.prepared import PreparedWeights


class ProjectedSides:
    """Side convs ``sides[i]`` followed by their rows of the 1x1 ``fuse`` conv's kernel
    (``[C_i, N]``, the rows that read side i's channels in the concatenation).

    A plain object (outside ``tf.Module`` tracking: the head tracks the convs). In an inference
    pass a side reads its prepared tap weights (:meth:`Conv2D.tap_weights`, cast to the
    compute dtype) instead of projecting, transposing and casting them on every call.

    Args:
        sides: the side ``Conv2D``s.
        fuse: the head's 1x1 ``Conv2D`` over the concatenated side outputs.
    """

    def __init__(self, sides, fuse):
        self.sides = sides
        self.fuse = fuse
        self.prepared = [None] * len(sides)

    def side_weights(self):
        """``fuse``'s rows per side: ``[C_i, N]`` each."""
        return tf.split(self.fuse.kernel[0, 0], len(self.sides))

    def prepare(self, dtype):
        """Hold each side's tap weights in ``dtype`` variables; returns the
        ``PreparedWeights`` for the segmentor's ``PreparedSet``."""
        self.prepared = [PreparedWeights(functools.partial(self._tap_weights, i), dtype)
                         if side.has_tap_form() else None
                         for i, side in enumerate(self.sides)]
        return [prepared for prepared in self.prepared if prepared is not None]

    def _tap_weights(self, index):
        return self.sides[index].tap_weights(self.side_weights()[index])

    def __call__(self, inputs, training):
        """Each side on its input ``[B,h_i,w_i,C]`` projected by its rows -> ``[B,h_i,w_i,N]``
        in the input's dtype (tap products at inference, see :meth:`Conv2D.apply_projected`);
        the rows are split from ``fuse`` only for sides without prepared weights."""
        weights, outputs = None, []
        for index, (side, prepared, x) in enumerate(zip(self.sides, self.prepared, inputs)):
            values = None if prepared is None else prepared.current(x.dtype)
            if values is not None:
                outputs.append(side.apply_taps(x, *values))
                continue
            weights = self.side_weights() if weights is None else weights
            outputs.append(side.apply_projected(x, weights[index], tap_products=not training))
        return outputs
