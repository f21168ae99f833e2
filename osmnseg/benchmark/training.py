"""Training-iteration benchmark: the runner's own train step on synthetic or real batches.

One iteration = fetching a batch (``data_time``) + the compiled step (forward, backward, optimizer
update), exactly as ``IterBasedRunner`` runs it. ``data='config'`` reads batches from the config's
training set through ``build_train_loader`` at the benchmark size (one scale); ``'synthetic'``
feeds one random batch again and again, isolating the model.
"""
import itertools
import time

import numpy as np
import tensorflow as tf

from osmnseg.benchmark.flops import gflop, train_flops
from osmnseg.benchmark.inference import peak_figures, profile_figures
from osmnseg.benchmark.kernel_floor import kernel_floor
from osmnseg.benchmark.memory import peak_rss_mb
from osmnseg.benchmark.timing import summarize
from osmnseg.datasets.pipelines import DEFAULT_GUIDE_SIZE, visual_guide_size
from osmnseg.utils.errors import ConfigError

DEFAULT_OPTIMIZER = dict(type='Adam', lr=1e-6)
DATA_SOURCES = ('synthetic', 'config')


def synthetic_batches(batch_size, size, seed=0, guide_size=DEFAULT_GUIDE_SIZE):
    """An endless iterator repeating one random training batch dict (float32 tensors) with
    ``guide_size``-square visual guides."""
    height, width = size
    gen = tf.random.Generator.from_seed(seed)
    batch = dict(image=gen.normal([batch_size, height, width, 3], stddev=50.0),
                 guide=gen.normal([batch_size, guide_size, guide_size, 3], stddev=50.0),
                 spatial_guide=gen.uniform([batch_size, height, width, 1]),
                 label=tf.cast(gen.uniform([batch_size, height, width, 1]) > 0.7, tf.float32))
    while True:
        yield batch


def config_batches(cfg, batch_size, size, seed=0):
    """Batches of the config's training set (``data.train``) at ``size``, one scale."""
    from osmnseg.datasets import build_dataset, build_train_loader

    if not cfg.get('data') or not cfg.data.get('train'):
        raise ConfigError(f'{cfg.filename or "the config"} has no data.train; use --data '
                          'synthetic or a config with a training set.')
    dataset = build_dataset(cfg.data.train, key='data.train')
    return iter(build_train_loader(dataset, batch_size=batch_size, seed=seed, scales=(1.0,),
                                   base_size=tuple(size),
                                   guide_size=visual_guide_size(cfg.data.train.get('pipeline'))))


def build_training(cfg, dtype, device=None):
    """``(model, TrainStep)`` for the config under the device's strategy, compute ``dtype``
    (``device``: a Device, name or dict; default: the config's, see ``device_config``)."""
    from osmnseg.devices import Device, build_device, device_config
    from osmnseg.models import build_segmentor
    from osmnseg.runner.optimizers import build_optimizer
    from osmnseg.runner.train_step import TrainStep

    if device is None:
        device = device_config(cfg)
    device = device if isinstance(device, Device) else build_device(device)
    strategy = device.setup().strategy()
    with strategy.scope():
        model = build_segmentor(cfg.model)
        optimizer = build_optimizer(dict(cfg.get('optimizer') or DEFAULT_OPTIMIZER))
        optimizer.build(model.trainable_variables)
    model.set_compute_dtype(dtype)
    return model, TrainStep(model, optimizer, strategy)


def benchmark_training(model, step, batches, batch_size, size, iters=5, warmup=1, peak=None,
                       peak_repeats=5, guide_size=DEFAULT_GUIDE_SIZE, profile_dir=None,
                       profile_iters=3, floor=False):
    """Time ``iters`` training iterations after ``warmup`` untimed ones (the first traces).

    Args:
        model, step: from :func:`build_training`.
        batches: iterator of batch dicts (:func:`synthetic_batches`, :func:`config_batches`).
        batch_size, size, guide_size: of the batches (for images/s and the FLOP count).
        peak: optional :class:`~osmnseg.benchmark.peak.ConvPeak`, sampled ``peak_repeats``
            times before the iterations and once after each.
        profile_dir: also run ``profile_iters`` more iterations under TF's profiler, writing a
            trace there (:mod:`osmnseg.benchmark.profile`).
        floor: also time every op of the step's graph alone, in its dtype and in the other of
            float32 / bfloat16 (:mod:`osmnseg.benchmark.kernel_floor`): ``kernel_floor``,
            ``kernel_floor_ms``, ``kernel_floor_best_dtype_ms``, ``iteration_over_floor`` and,
            with one intra-op thread, ``kernel_lower_bound_ms`` /
            ``kernel_best_dtype_lower_bound_ms``.

    Returns:
        dict of results (see docs/benchmark.md).
    """
    counter = itertools.count(1)
    first_iter_s = _iteration(step, batches, next(counter))[1]
    for _ in range(warmup - 1):
        _iteration(step, batches, next(counter))
    if peak is not None:
        peak.sample(peak_repeats)
    data_seconds, iter_seconds = [], []
    for _ in range(iters):
        data_s, iter_s = _iteration(step, batches, next(counter))
        data_seconds.append(data_s)
        iter_seconds.append(iter_s)
        if peak is not None:
            peak.sample(1)

    stats = summarize(iter_seconds)
    iter_gflop = gflop(train_flops(model, batch_size, size, guide_size))
    result = dict(
        mode='train', size=list(size), batch_size=batch_size, iters=iters, warmup=warmup,
        dtype=model.compute_dtype.name,
        iter_s_median=stats['median_ms'] / 1e3, iter_s_p90=stats['p90_ms'] / 1e3,
        first_iter_s=first_iter_s, images_per_s=batch_size / stats['median_ms'] * 1e3,
        data_time_s_median=float(np.median(data_seconds)),
        data_time_fraction=float(np.sum(data_seconds) / np.sum(iter_seconds)),
        gflop_per_iter=iter_gflop, achieved_gflops=iter_gflop / stats['median_ms'] * 1e3,
        peak_rss_mb=peak_rss_mb())
    result.update(peak_figures(peak, result['achieved_gflops']))
    if profile_dir is not None:
        result['profile'] = profile_figures(
            lambda: _iteration(step, batches, next(counter)), profile_iters, profile_dir)
    if floor:
        figures = kernel_floor(step.concrete_function(next(batches), next(counter)).graph,
                               other_dtype=True)
        result.update(kernel_floor=figures, kernel_floor_ms=figures['floor_ms'],
                      kernel_floor_best_dtype_ms=figures['best_dtype_ms'],
                      iteration_over_floor=stats['median_ms'] / figures['floor_ms'],
                      kernel_lower_bound_ms=figures.get('lower_bound_ms'),
                      kernel_best_dtype_lower_bound_ms=figures.get('best_dtype_lower_bound_ms'))
    return result


def _iteration(step, batches, iteration):
    """``(data seconds, iteration seconds)`` of fetching a batch and training iteration
    ``iteration`` (1-based) on it."""
    start = time.perf_counter()
    batch = next(batches)
    fetched = time.perf_counter()
    float(step(batch, iteration)['loss'])
    return fetched - start, time.perf_counter() - start
