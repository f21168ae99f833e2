"""Starting state of a run: ``resume_from`` (the whole training state) or ``load_from``
(weights only).

* ``resume_from`` continues a run: model weights and RNG, optimizer moments and iteration
  count, learning rate, loss scale, accumulated gradients and the runner's iteration (which
  is also the data position). A directory means its newest *readable* checkpoint (an unreadable
  one is reported and the previous one is used).
* ``load_from`` only initialises the weights (native, original OSMN or TF-slim checkpoints,
  through ``osmnseg.models.load_checkpoint``); the run starts at iteration 0 with a fresh
  optimizer.
* ``auto_resume`` (``tools/train.py --resume`` without a path): resume from ``resume_from``
  when it holds a checkpoint, else start a new run (where ``load_from`` applies).

Both set explicitly is an error: mmseg users were burnt by one silently winning.
"""
import os

from osmnseg.utils.errors import ConfigError


def has_checkpoint(work_dir):
    """Whether ``work_dir`` holds a native checkpoint to resume from."""
    from osmnseg.models.checkpoint import LAST_CHECKPOINT, iteration_checkpoints
    return os.path.isdir(work_dir) and (
        os.path.isfile(os.path.join(work_dir, LAST_CHECKPOINT))
        or bool(iteration_checkpoints(work_dir)))


def check_restore_options(cfg):
    """Raise ``ConfigError`` when ``resume_from`` and ``load_from`` are both set explicitly."""
    if cfg.get('resume_from') and cfg.get('load_from') and not cfg.get('auto_resume'):
        raise ConfigError(f"both resume_from ({cfg.resume_from}) and load_from ({cfg.load_from}) "
                          'are set: resume continues a run (weights, optimizer, iteration), '
                          'load_from only initialises the weights of a new run; set one of them.')


def restore_training_state(runner):
    """Apply the config's ``resume_from`` / ``load_from`` to ``runner`` (after its train step
    exists, so that every checkpointed object is there to be restored)."""
    cfg = runner.cfg
    check_restore_options(cfg)
    resume_from, load_from = cfg.get('resume_from'), cfg.get('load_from')
    if resume_from and cfg.get('auto_resume') and not has_checkpoint(resume_from):
        runner.logger.info(f'--resume: {resume_from} holds no checkpoint yet; starting a new run')
        resume_from = None
    if resume_from:
        if load_from:
            runner.logger.info(f'resuming: load_from ({load_from}) is not used, the checkpoint '
                               f'holds the weights')
        resume(runner, resume_from)
    else:
        initialise_pretrained(runner)
    if not resume_from and load_from:
        from osmnseg.models import load_checkpoint
        load_checkpoint(runner.model, load_from, logger=runner.logger, partial=True)
        runner.logger.info(f'initialised the weights from {load_from}; starting at iteration 0 '
                           f'with a fresh optimizer')


def initialise_pretrained(runner):
    """Apply the model's ``init_cfg`` entries (ImageNet weights) at the start of a new run and
    log a loaded / skipped / missing table for each."""
    init_weights = getattr(runner.model, 'init_weights', None)
    if init_weights is None:
        return
    from osmnseg.datasets.pipelines import Compose
    from osmnseg.models.pretrained import check_normalization
    for split in ('train', 'val', 'test'):
        if runner.cfg.data.get(split):
            key = f'data.{split}.pipeline'
            normalization = Compose(runner.cfg.data[split].get('pipeline') or (), key).normalization
            check_normalization(runner.model.init_cfgs,
                                normalization['mode'] if normalization else None, key)
    for key, report in init_weights().items():
        runner.logger.info('%s: loaded %d variables from %s\n%s', key, len(report.loaded),
                           report.path, report.summary())


def resume(runner, path):
    """Restore the complete training state of ``runner`` from a work dir or checkpoint path."""
    from osmnseg.models.checkpoint import (find_usable_checkpoint, resolve_checkpoint,
                                           restore_checkpoint)
    if os.path.isdir(path):
        prefix = find_usable_checkpoint(path, logger=runner.logger)
    else:
        prefix = resolve_checkpoint(path)
    meta = restore_checkpoint(prefix, runner.model, **runner.checkpoint_trackables())
    runner.set_iteration(int(runner.iter_var.numpy()))
    runner.logger.info(f'resumed from {prefix} at iteration {runner.iter}')
    restored_lr = float(runner.optimizer.learning_rate.numpy())
    if runner.iter and abs(restored_lr - runner.lr_schedule(runner.iter)) > 1e-9 * restored_lr:
        runner.logger.warning(
            f'the LR schedule of this config differs from the resumed run (LR {restored_lr:g} '
            f'at iteration {runner.iter}); continuing with the config schedule '
            f'({runner.lr_schedule(runner.iter + 1):g} at iteration {runner.iter + 1})')
    if meta.get('seed') is not None and meta.get('seed') != runner.cfg.get('seed'):
        runner.logger.warning(f"the resumed run used seed {meta.get('seed')}, this one "
                              f"{runner.cfg.get('seed')}: the data order will differ")
    runner.call_hook('after_load_checkpoint', meta)
