"""Activation functions by name, as used in the layer configs."""
import tensorflow as tf

_ACTIVATIONS = {None: None, 'relu': tf.nn.relu, 'relu6': tf.nn.relu6}


def activate(x, name):
    """Apply the activation called ``name`` (``None`` = linear) to ``x``."""
    if name not in _ACTIVATIONS:
        raise ValueError(f'unknown activation {name!r}; use one of '
                         f'{sorted(map(str, _ACTIVATIONS))}')
    fn = _ACTIVATIONS[name]
    return x if fn is None else fn(x)
