"""Inference weights prepared once instead of on every call, and when they are stale.

A conv + batch-norm block in inference mode is one convolution whose kernel and bias have the
batch norm folded in and are cast to the compute dtype (``ConvBN.inference_weights``). Doing
that on every call is a pass over every weight per frame: 4.6 ms of a 31 ms lite bfloat16
frame at 480x864 (docs/benchmark.md). :class:`PreparedWeights` keeps the result in variables
of the compute dtype, and a process-wide *weights generation* says when they are stale:

* every write of weights that osmnseg makes calls :func:`weights_changed` (training-mode
  forward passes, which update batch-norm statistics and precede every optimizer step;
  checkpoint loads, imports and pretrained initialisation; online fine-tuning's restore);
* a compiled inference call starts with :meth:`PreparedSet.refresh`: one comparison, and where
  the generation moved, every prepared weight is written again before it is read.

Only inference passes read them (inside :func:`reading_prepared`): a training pass that runs a
batch norm in inference mode (``fix_bn``, ``norm_eval``, frozen stages) folds it in the pass,
so that gamma and beta receive their gradients.

Code that assigns a model's variables itself calls :func:`weights_changed` afterwards.
Prepared variables are derived values: they live outside ``tf.Module`` tracking, so they are
neither saved in checkpoints nor listed in ``model.variables``.
"""
import contextlib
import threading

import tensorflow as tf

_GENERATION = []  # the process-wide generation variable, created on first use
_READING = threading.local()  # .on: this thread is running (or tracing) an inference pass


def _variable(initial_value, name):
    """A non-trainable variable any replica may write (a distribution strategy's replicas
    would otherwise refuse the write), created eagerly: ``initial_value()`` is called outside
    any function being traced (the first use may be inside a training step's trace)."""
    with tf.init_scope():
        return tf.Variable(initial_value(), trainable=False, name=name,
                           aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)


def weights_generation():
    """The int64 scalar variable counting weight changes in this process."""
    if not _GENERATION:
        _GENERATION.append(_variable(lambda: tf.constant(0, tf.int64), 'weights_generation'))
    return _GENERATION[0]


def weights_changed():
    """Mark every prepared weight stale; the next inference call writes them again. Works
    eagerly and inside ``tf.function`` (an ``assign_add`` of one scalar)."""
    weights_generation().assign_add(1)


@contextlib.contextmanager
def reading_prepared():
    """Within: this thread's forward pass is an inference pass that reads prepared weights."""
    previous = getattr(_READING, 'on', False)
    _READING.on = True
    try:
        yield
    finally:
        _READING.on = previous


class PreparedWeights:
    """``compute()``'s tensors held in ``dtype`` variables (``values``).

    Args:
        compute: ``() -> tuple of float tensors`` (e.g. a block's folded kernel and bias).
        dtype: the dtype they are held in (the compute dtype).
    """

    def __init__(self, compute, dtype):
        self.compute = compute
        self.dtype = tf.as_dtype(dtype)
        with tf.init_scope():
            self.values = tuple(_variable(lambda value=value: tf.cast(value, self.dtype),
                                          'prepared') for value in compute())

    def current(self, dtype):
        """``values`` where an inference pass in ``dtype`` reads them, else ``None`` (the
        caller computes its weights itself)."""
        if getattr(_READING, 'on', False) and tf.as_dtype(dtype) == self.dtype:
            return self.values
        return None

    def write(self):
        """Assign ``compute()`` (cast to ``dtype``) to the variables."""
        for variable, value in zip(self.values, self.compute()):
            variable.assign(tf.cast(value, self.dtype))


class PreparedSet:
    """Prepared weights that are written together and know the generation they hold."""

    def __init__(self, prepared):
        self.prepared = tuple(prepared)
        generation = weights_generation()
        self.generation = _variable(generation.read_value, 'prepared_generation')

    def variables(self):
        """Every variable the refresh reads or writes (the prepared values, this set's
        generation and the process-wide one), e.g. for a SavedModel to track."""
        values = [variable for prepared in self.prepared for variable in prepared.values]
        return values + [self.generation, weights_generation()]

    def refresh(self):
        """Write every prepared weight where the weights generation moved since the last write
        (inside a compiled function: one ``tf.cond``; reads of the prepared variables that
        follow are ordered after it)."""
        current = weights_generation().read_value()

        def write_all():
            for prepared in self.prepared:
                prepared.write()
            self.generation.assign(current)
            return tf.constant(True)

        return tf.cond(tf.not_equal(self.generation.read_value(), current), write_all,
                       lambda: tf.constant(False))
