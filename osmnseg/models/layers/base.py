"""Base module: a ``tf.Module`` that knows its name scope in the original OSMN graph.

Every osmnseg network module derives from :class:`Module`. Besides the usual ``tf.Module``
tracking (so ``tf.train.Checkpoint(model=model)`` works object-based), a module has a ``scope``
(its path relative to its parent in the original TF1/slim graph, e.g. ``'conv1/conv1_1'``) and
lists its children in network order. From that, :meth:`Module.reference_variables` yields the
original variable names (``'conv1/conv1_1/weights'``) that checkpoint import relies on.
"""
import collections.abc
import copy
import re

import tensorflow as tf


def join_scope(*parts):
    """Join name-scope parts with ``/``, skipping empty ones (``join_scope('', 'a') == 'a'``)."""
    return '/'.join(p for p in parts if p)


def _module_name(scope, fallback):
    """A valid ``tf.Module`` name derived from a scope such as ``'score-multi2-up'``."""
    name = re.sub(r'[^0-9A-Za-z_]', '_', scope)
    if not name or not re.match(r'[A-Za-z_]', name):
        return fallback
    return name


class Module(tf.Module):
    """A ``tf.Module`` with an original-graph scope and ordered children.

    Child modules are found in attribute-assignment order (also inside lists and dicts), so a
    composite only overrides :meth:`ordered_children` to change that order. Leaf layers that
    create variables override :meth:`own_variables`, and those holding an L2-regularised kernel
    override :meth:`own_regularized_kernels`.

    Args:
        scope: path of this module relative to its parent in the original graph ('' for none).
    """

    def __init__(self, scope=''):
        super().__init__(name=_module_name(scope, type(self).__name__))
        self.scope = scope

    def ordered_children(self):
        """Child modules in attribute-assignment order (nested lists / dicts included), each
        once; TF's own tracking attributes (``_self_*``) are skipped."""
        children = {}
        for name, value in vars(self).items():
            if not name.startswith('_self_'):
                children.update((id(m), m) for m in _modules_in(value))
        return list(children.values())

    def own_variables(self):
        """``{local_name: tf.Variable}`` created by this module itself (leaves override this)."""
        return {}

    def own_regularized_kernels(self):
        """Kernels of this module that carry the L2 penalty (leaves override this)."""
        return []

    def reference_variables(self):
        """``{original_name: tf.Variable}`` for every weight below this module, in network order.

        Names are relative to the parent's scope, e.g. ``'conv3/BatchNorm/gamma'``.
        """
        out = {join_scope(self.scope, k): v for k, v in self.own_variables().items()}
        for child in self.ordered_children():
            for key, var in child.reference_variables().items():
                out[join_scope(self.scope, key)] = var
        return out

    def regularized_kernels(self):
        """Every kernel below this module that carries the L2 penalty (frozen ones included)."""
        kernels = list(self.own_regularized_kernels())
        for child in self.ordered_children():
            kernels.extend(child.regularized_kernels())
        return kernels

    def inference_copy(self, dtype, xla_kernels=True):
        """An immutable copy of this module for inference passes in ``dtype``.

        The copy holds every weight as a constant (a snapshot: the module itself is unchanged
        and keeps training; after its variables change, make a new copy), its child modules
        are copied the same way, and then each copy's :meth:`freeze` also holds as constants
        what it would otherwise derive from its weights on every call (folded batch norms,
        projected head kernels), cast to ``dtype``.

        Args:
            dtype: compute dtype of the inference passes (``tf.DType``).
            xla_kernels: whether the device runs small XLA-compiled kernels (the fused
                modulation; ``Device.xla_kernels``).
        """
        clone = copy.copy(self)
        for name, value in vars(self).items():
            if name.startswith('_self_'):  # TF's tracking lists: the copy gets its own
                clone.__dict__[name] = copy.copy(value)
            else:
                clone.__dict__[name] = _copied(value, dtype, xla_kernels)
        clone.freeze(dtype, xla_kernels)
        return clone

    def freeze(self, dtype, xla_kernels):
        """Hold derived inference weights as ``dtype`` constants (called on an
        :meth:`inference_copy` only; modules with such weights override this)."""

    def reapply_fixed_weights(self):
        """Re-write every fixed (non-learned) kernel below this module, e.g. after a load."""
        for child in self.ordered_children():
            child.reapply_fixed_weights()


def _modules_in(value):
    """The :class:`Module`s in ``value`` (a module, or lists / tuples / dicts of them), in order."""
    if isinstance(value, Module):
        return [value]
    if isinstance(value, collections.abc.Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [m for item in value for m in _modules_in(item)]
    return []


def _copied(value, dtype, xla_kernels):
    """``value`` (a module, a variable, or lists / tuples / dicts holding them) with each module
    replaced by its :meth:`Module.inference_copy` and each variable by a constant of its value;
    anything else is kept as it is."""
    if isinstance(value, Module):
        return value.inference_copy(dtype, xla_kernels)
    if isinstance(value, tf.Variable):
        return tf.constant(value.read_value())
    if not _holds_weights(value):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {key: _copied(item, dtype, xla_kernels) for key, item in value.items()}
    items = [_copied(item, dtype, xla_kernels) for item in value]
    if hasattr(value, '_fields'):  # a named tuple
        return type(value)(*items)
    return tuple(items) if isinstance(value, tuple) else items


def _holds_weights(value):
    """Whether ``value`` is, or a list / tuple / dict below it holds, a module or variable."""
    if isinstance(value, (Module, tf.Variable)):
        return True
    if isinstance(value, collections.abc.Mapping):
        value = list(value.values())
    return isinstance(value, (list, tuple)) and any(_holds_weights(item) for item in value)
