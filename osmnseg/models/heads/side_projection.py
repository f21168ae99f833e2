"""The heads' side convs projected by their fuse/score weights; an inference copy of a head
holds the projected tap weights as constants."""
import tensorflow as tf


class ProjectedSides:
    """Side convs ``sides[i]`` followed by their rows of the 1x1 ``fuse`` conv's kernel
    (``[C_i, N]``, the rows that read side i's channels in the concatenation).

    A plain object (outside ``tf.Module`` tracking: the head tracks the convs). Made with
    ``dtype`` (a head's inference copy), each side with a tap form holds its tap weights
    (:meth:`Conv2D.tap_weights`) as ``dtype`` constants instead of projecting, transposing and
    casting them on every call.

    Args:
        sides: the side ``Conv2D``s.
        fuse: the head's 1x1 ``Conv2D`` over the concatenated side outputs.
        dtype: ``None`` (derive the weights on every call) or the dtype of held tap weights.
    """

    def __init__(self, sides, fuse, dtype=None):
        self.sides = sides
        self.fuse = fuse
        self.taps = [None] * len(sides)
        if dtype is not None:
            weights = self.side_weights()
            self.taps = [tuple(tf.cast(t, dtype) for t in side.tap_weights(weights[i]))
                         if side.has_tap_form() else None for i, side in enumerate(sides)]

    def side_weights(self):
        """``fuse``'s rows per side: ``[C_i, N]`` each."""
        return tf.split(self.fuse.kernel[0, 0], len(self.sides))

    def __call__(self, inputs, training):
        """Each side on its input ``[B,h_i,w_i,C]`` projected by its rows -> ``[B,h_i,w_i,N]``
        in the input's dtype (tap products at inference, see :meth:`Conv2D.apply_projected`);
        the rows are split from ``fuse`` only for sides without held tap weights."""
        weights, outputs = None, []
        for index, (side, taps, x) in enumerate(zip(self.sides, self.taps, inputs)):
            if taps is not None and not training:
                outputs.append(side.apply_taps(x, *(tf.cast(t, x.dtype) for t in taps)))
                continue
            weights = self.side_weights() if weights is None else weights
            outputs.append(side.apply_projected(x, weights[index], tap_products=not training))
        return outputs
