"""The heads' side convs projected by their fuse/score weights, with the projected tap weights
prepared once for inference passes (:mod:`osmnseg.models.layers.prepared`)."""
import functools

from osmnseg.models.layers.prepared import PreparedWeights


class ProjectedSides:
    """Side convs ``sides[i]`` followed by the linear map ``side_weights()[i] [C, N]``.

    A plain object (outside ``tf.Module`` tracking: the head tracks the convs). In an inference
    pass a side reads its prepared tap weights (:meth:`Conv2D.tap_weights`, cast to the
    compute dtype) instead of projecting, transposing and casting them on every call.

    Args:
        sides: the side ``Conv2D``s.
        side_weights: ``() -> [C_i, N] per side`` (slices of the head's 1x1 fuse kernel).
    """

    def __init__(self, sides, side_weights):
        self.sides = sides
        self.side_weights = side_weights
        self.prepared = [None] * len(sides)

    def prepare(self, dtype):
        """Hold each side's tap weights in ``dtype`` variables; returns the
        ``PreparedWeights`` for the segmentor's ``PreparedSet``."""
        self.prepared = [PreparedWeights(functools.partial(self._tap_weights, i), dtype)
                         if side.has_tap_form() else None
                         for i, side in enumerate(self.sides)]
        return [prepared for prepared in self.prepared if prepared is not None]

    def _tap_weights(self, index):
        return self.sides[index].tap_weights(self.side_weights()[index])

    def __call__(self, index, x, weights, training):
        """Side ``index`` on ``x [B,h,w,C]`` projected by ``weights [C, N]`` -> ``[B,h,w,N]``
        in ``x``'s dtype (tap products at inference, see :meth:`Conv2D.apply_projected`)."""
        prepared = self.prepared[index]
        values = None if prepared is None else prepared.current(x.dtype)
        if values is not None:
            return self.sides[index].apply_taps(x, *values)
        return self.sides[index].apply_projected(x, weights, tap_products=not training)
