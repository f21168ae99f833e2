"""The ``tf.data`` training loader: batch *i* is a pure function of ``(seed, i)``.

Design (so that resume is exact and decoding still runs in parallel):

* The sample stream is the concatenation of epochs; epoch *e* is a permutation of the data set
  drawn from ``numpy.random.default_rng([seed, 0, e])``. Global sample position ``p`` of the
  stream is ``perm_e[p % N]`` with ``e = p // N`` and batch *i* holds positions
  ``i*B .. i*B + B - 1``. Batches therefore wrap across epoch ends (no tail is dropped and no
  sample is repeated within an epoch; the reference instead reshuffled early and dropped the
  tail, spec §6.1/§6.3).
* Batch *i*'s working size is ``int(H * s), int(W * s)`` for a scale ``s`` drawn from
  ``default_rng([seed, 1, i])``; sample *j* of batch *i* is prepared with its own generator
  ``default_rng([seed, 2, i, j])`` (the tags 0/1/2 keep the three streams apart).
* ``tf.data.Dataset.counter(start)`` -> ``map(tf.numpy_function(build element), parallel,
  deterministic)`` -> ``prefetch``. The checkpointable state is the iteration number alone.
* ``tf.distribute``: with an ``InputContext`` the loader yields per-replica batches of
  ``B // num_replicas`` samples: input pipeline *p* serves the replicas
  ``p*R .. p*R + R - 1`` (``R`` = replicas per pipeline, fed round-robin by tf.distribute), and
  replica *g* gets positions ``g*b .. g*b + b - 1`` of the global batch, so the replicas of one
  step together see exactly the global batch of the single-device loader.
"""
import atexit
import functools
import gc
import weakref

import numpy as np
import tensorflow as tf

from osmnseg.datasets.pipelines.formatting import PACKED_KEYS, packed_shapes
from osmnseg.utils.errors import ConfigError, DataError, OsmnsegError

_PERMUTATION_STREAM, _SCALE_STREAM, _SAMPLE_STREAM = 0, 1, 2
_LIVE_ITERATORS = weakref.WeakSet()


def working_sizes(base_size, scales):
    """The working sizes of multi-scale training (spec §4.1, ``int`` truncation).

    Args:
        base_size: ``(H, W)``.
        scales: factors, e.g. ``(0.5, 0.8, 1.0)``.

    Returns:
        list of ``(H, W)`` int tuples, one per scale.
    """
    if len(base_size) != 2 or min(base_size) <= 0:
        raise ConfigError(f'base_size must be (H, W) with positive sides, got {base_size!r}; '
                          'set data.train_loader.base_size.')
    if not scales or min(scales) <= 0:
        raise ConfigError(f'scales must be a non-empty list of positive factors, got '
                          f'{scales!r}; set data.train_loader.scales.')
    return [(int(base_size[0] * s), int(base_size[1] * s)) for s in scales]


class BatchPlan:
    """Which samples, at which size and with which generators, make batch *i* (pure numpy).

    Args:
        num_samples: ``len(dataset)``.
        batch_size: global batch size ``B``.
        seed: non-negative int.
        sizes: candidate working sizes ``[(H, W), ...]``, one drawn per batch.
    """

    def __init__(self, num_samples, batch_size, seed, sizes):
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.seed = seed
        self.sizes = list(sizes)
        self._permutation = functools.lru_cache(maxsize=4)(self._epoch_permutation)

    def _epoch_permutation(self, epoch):
        rng = np.random.default_rng([self.seed, _PERMUTATION_STREAM, epoch])
        return rng.permutation(self.num_samples)

    def out_size(self, iteration):
        """``(H, W)`` of batch ``iteration``."""
        rng = np.random.default_rng([self.seed, _SCALE_STREAM, iteration])
        return self.sizes[int(rng.integers(len(self.sizes)))]

    def sample_index(self, iteration, position):
        """Data set index of sample ``position`` (0..B-1) of batch ``iteration``."""
        stream_position = iteration * self.batch_size + position
        epoch, offset = divmod(stream_position, self.num_samples)
        return int(self._permutation(epoch)[offset])

    def sample_rng(self, iteration, position):
        """The generator that drives every random choice of one sample."""
        return np.random.default_rng([self.seed, _SAMPLE_STREAM, iteration, position])


class TrainLoader:
    """Reproducible, resumable, shardable training batches (see the module docstring).

    Iterating over the loader yields batch dicts (``image [b,H,W,3]``, ``guide [b,S,S,3]``,
    ``spatial_guide [b,H,W,1]``, ``label [b,H,W,1]``, float32 tensors) and counts them, so
    ``state()`` is the iteration of the next batch; ``set_state`` makes the next iteration
    start there. ``dataset`` is the plain ``tf.data.Dataset`` from the current iteration on.

    Args: see :func:`build_train_loader`.
    """

    def __init__(self, dataset, batch_size, seed, scales, base_size, start_iter=0,
                 input_context=None, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True,
                 guide_size=224):
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ConfigError(f'the data loader needs a non-negative integer seed, got '
                              f'{seed!r}; pass --seed N or set seed in the config.')
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ConfigError(f'batch_size must be a positive integer, got {batch_size!r}; '
                              'check data.samples_per_gpu.')
        if len(dataset) == 0:
            raise DataError(f'the training set {type(dataset).__name__} has no samples; '
                            'check its data root, split and filters.')
        self.source = dataset
        self.batch_size = int(batch_size)
        self.plan = BatchPlan(len(dataset), self.batch_size, int(seed),
                              working_sizes(base_size, scales))
        self.input_context = input_context
        self.num_parallel_calls = num_parallel_calls
        self.deterministic = deterministic
        self.guide_size = guide_size
        pipeline = getattr(dataset, 'pipeline', None)
        self.keys = tuple(getattr(pipeline, 'packed_keys', PACKED_KEYS))
        self._next_iteration = int(start_iter)
        self._error = None

    # ------------------------------------------------------------------ state
    @property
    def iteration_of_next_batch(self):
        """The iteration whose batch the next ``next()`` returns."""
        return self._next_iteration

    def state(self):
        """Checkpointable state: ``{'iteration': int}``."""
        return {'iteration': self._next_iteration}

    def set_state(self, state):
        """Continue with batch ``state['iteration']`` on the next iteration."""
        self._next_iteration = int(state['iteration'])

    # ------------------------------------------------------------------ numpy side
    def make_batch(self, iteration, replica=0, num_replicas=1):
        """Build (one replica's share of) batch ``iteration`` in numpy.

        Returns:
            dict ``image, guide, spatial_guide, label`` of ``[B // num_replicas, ...] float32``.
        """
        per_replica = self.batch_size // num_replicas
        out_size = self.plan.out_size(iteration)
        samples = []
        for position in range(replica * per_replica, (replica + 1) * per_replica):
            index = self.plan.sample_index(iteration, position)
            samples.append(self.source.prepare(index, self.plan.sample_rng(iteration, position),
                                               out_size))
        return {key: np.stack([sample[key] for sample in samples]) for key in self.keys}

    def _element(self, element, replicas_per_pipeline, pipeline_id, num_replicas):
        iteration, local_replica = divmod(int(element), replicas_per_pipeline)
        try:
            batch = self.make_batch(iteration, pipeline_id * replicas_per_pipeline +
                                    local_replica, num_replicas)
        except OsmnsegError as err:  # surfaced again, un-wrapped, by the iterator
            self._error = err
            raise
        return tuple(batch[key] for key in self.keys)

    # ------------------------------------------------------------------ tf.data side
    def build_dataset(self, input_context=None):
        """The ``tf.data.Dataset`` of batches from ``iteration_of_next_batch`` on.

        Args:
            input_context: a ``tf.distribute.InputContext`` (per-replica batches of this input
                pipeline), or ``None`` (global batches). Usable as the ``dataset_fn`` of
                ``strategy.distribute_datasets_from_function``.
        """
        num_replicas, pipelines, pipeline_id = 1, 1, 0
        if input_context is not None:
            num_replicas = input_context.num_replicas_in_sync
            pipelines = input_context.num_input_pipelines
            pipeline_id = input_context.input_pipeline_id
            if self.batch_size % num_replicas:
                raise ConfigError(f'the global batch size {self.batch_size} is not divisible '
                                  f'by the {num_replicas} replicas; change data.samples_per_gpu '
                                  'or the number of devices.')
        replicas_per_pipeline = num_replicas // pipelines
        per_replica = (self.batch_size if input_context is None else
                       input_context.get_per_replica_batch_size(self.batch_size))
        build = functools.partial(self._element, replicas_per_pipeline=replicas_per_pipeline,
                                  pipeline_id=pipeline_id, num_replicas=num_replicas)
        shapes = packed_shapes(self.keys, per_replica, self.guide_size)

        def to_batch(element):
            arrays = tf.numpy_function(build, [element], [tf.float32] * len(self.keys),
                                       stateful=False)
            return {key: tf.ensure_shape(array, shapes[key])
                    for key, array in zip(self.keys, arrays)}

        options = tf.data.Options()
        options.deterministic = self.deterministic
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        dataset = tf.data.Dataset.counter(self._next_iteration * replicas_per_pipeline)
        dataset = dataset.map(to_batch, num_parallel_calls=self.num_parallel_calls,
                              deterministic=self.deterministic)
        return dataset.prefetch(tf.data.AUTOTUNE).with_options(options)

    @property
    def dataset(self):
        """``build_dataset(input_context)`` with the loader's own input context."""
        return self.build_dataset(self.input_context)

    def __iter__(self):
        return _CountingIterator(self, iter(self.dataset))

    def distribute(self, strategy):
        """Iterate per-replica batches of ``strategy`` (``distribute_datasets_from_function``),
        counted like ``iter(loader)``."""
        return _CountingIterator(
            self, iter(strategy.distribute_datasets_from_function(self.build_dataset)))


class _CountingIterator:
    """Advances the loader's iteration with every batch and re-raises data errors as such."""

    def __init__(self, loader, iterator):
        self._loader = loader
        self._iterator = iterator
        _LIVE_ITERATORS.add(self)

    def close(self):
        """Release the ``tf.data`` iterator (and the batches it prefetches)."""
        self._iterator = None

    def __iter__(self):
        return self

    def __next__(self):
        try:
            batch = next(self._iterator)
        except tf.errors.OpError as err:
            error, self._loader._error = self._loader._error, None
            if error is not None:
                raise error from err
            raise
        self._loader._next_iteration += 1
        return batch


@atexit.register
def _release_iterators():
    """Destroy live ``tf.data`` iterators before the interpreter shuts down.

    A ``tf.data`` iterator whose ``tf.numpy_function`` calls are in flight when Python starts
    finalising never finishes its destructor (the worker threads can no longer take the GIL),
    and the process hangs at exit. Closing the loader's iterators and collecting reference
    cycles (a runner and its hooks) here, while Python is still fully alive, avoids that.
    Iterators over ``loader.dataset`` held in module globals cannot be reached: delete them.
    """
    for iterator in list(_LIVE_ITERATORS):
        iterator.close()
    gc.collect()


def build_train_loader(dataset, batch_size, seed, scales, base_size, start_iter=0,
                       input_context=None, num_parallel_calls=tf.data.AUTOTUNE,
                       deterministic=True, guide_size=224):
    """Build the training loader of a data set.

    Args:
        dataset: a training data set (``len()``, ``prepare(index, rng, out_size)``).
        batch_size: global batch size (summed over replicas).
        seed: non-negative int; batch *i* depends on ``(seed, i)`` only.
        scales: working-size factors, one drawn per batch.
        base_size: ``(H, W)`` at scale 1.
        start_iter: iteration of the first batch (resume).
        input_context: ``tf.distribute.InputContext`` for per-replica batches, or ``None``.
        num_parallel_calls: batches prepared in parallel by ``tf.data``.
        deterministic: keep the batch order. ``False`` lets ``tf.data`` hand out finished
            batches out of order: their contents stay the same, but which batch comes at which
            step (and so exact resume) is no longer fixed.
        guide_size: side of the visual guide (static shape of ``guide``).

    Returns:
        :class:`TrainLoader`.
    """
    return TrainLoader(dataset, batch_size, seed, scales, base_size, start_iter, input_context,
                       num_parallel_calls, deterministic, guide_size)
