"""CheckpointHook: real TF checkpoints of the complete training state, written atomically."""
import os
import shutil

from osmnseg.models.checkpoint import save_checkpoint
from osmnseg.registry import HOOKS
from osmnseg.runner.dist_utils import worker_info
from osmnseg.runner.hooks.hook import Hook


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Save ``iter_<N>`` checkpoints every ``interval`` iterations and at the end.

    A checkpoint holds the model (incl. its RNG), the optimizer (moments, iteration count,
    learning rate, loss-scale state), accumulated gradients and the runner's iteration, which
    also fixes the data position. Its JSON meta holds the config text, versions, seed,
    iteration, learning rate, data state and the latest validation metrics. Every file is
    written under a temporary name and renamed; ``last_checkpoint`` is replaced atomically.

    Args:
        interval: save every ``interval`` iterations (<= 0: only at the end).
        max_keep: keep the newest ``max_keep`` ``iter_*`` checkpoints (the original kept 2).
        save_last: save after the last iteration even when it is not a multiple of ``interval``.
        save_best: a metric name (e.g. ``'J&F-Mean'``): keep a ``best_<metric>`` copy whenever
            the validation metric improves (higher is better).
        out_dir: where to write; default the work dir.
    """

    priority = 'NORMAL'

    def __init__(self, interval=1000, max_keep=2, save_last=True, save_best=None, out_dir=None):
        self.interval = int(interval)
        self.max_keep = max_keep
        self.save_last = save_last
        self.save_best = save_best
        self.out_dir = out_dir
        self.best_score = None
        self._last_saved_iter = None

    def saved_at(self, iteration):
        return self._last_saved_iter == iteration

    def after_train_iter(self, runner):
        if self.every_n_iters(runner, self.interval) or (self.save_last and self.is_last_iter(runner)):
            self.save(runner)

    def after_val(self, runner):
        if not self.save_best or self.save_best not in runner.val_metrics:
            return
        score = float(runner.val_metrics[self.save_best])
        if self.best_score is not None and score <= self.best_score:
            return
        self.best_score = score
        tag = self.save_best.replace('&', '').replace('-', '_')
        self.save(runner, name=f'best_{tag}', update_last=False)

    def after_load_checkpoint(self, runner, meta):
        self.best_score = meta.get('best_score', self.best_score)
        self._last_saved_iter = runner.iter

    def save(self, runner, name=None, update_last=True):
        """Write a checkpoint of the runner's current state; every worker takes part, only the
        chief's copy is kept (the others write to a scratch folder, as tf.distribute requires)."""
        meta = dict(config=runner.cfg.pretty_text, config_file=runner.cfg.filename,
                    seed=runner.cfg.get('seed'), lr=runner.outputs.get('lr'),
                    data_state=dict(next_batch=runner.iter), metrics=dict(runner.val_metrics),
                    best_score=self.best_score)
        runner.call_hook('before_save_checkpoint', meta)
        directory = self.out_dir or runner.work_dir
        chief, task_id = worker_info(runner.strategy)
        if not chief:
            directory = os.path.join(directory, f'.worker_{task_id}_scratch')
        prefix = save_checkpoint(directory, runner.iter, runner.model, meta,
                                 max_keep=self.max_keep if update_last else None, name=name,
                                 update_last=update_last, **runner.checkpoint_trackables())
        if chief:
            runner.logger.info(f'saved checkpoint {prefix} at iteration {runner.iter}')
        else:
            shutil.rmtree(directory, ignore_errors=True)
        if update_last:
            self._last_saved_iter = runner.iter
        return prefix

