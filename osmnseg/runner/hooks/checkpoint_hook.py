"""CheckpointHook: real TF checkpoints of the complete training state, written atomically."""
from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Save ``iter_<N>`` checkpoints every ``interval`` iterations, at the end, and at the
    iteration where SIGINT/SIGTERM stopped the run.

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

    def after_train_iter(self, runner):
        if self.every_n_iters(runner, self.interval) or (self.save_last and
                                                         self.is_last_iter(runner)):
            self.save(runner)

    def after_run(self, runner):
        # A signal may arrive at any point of an iteration; the runner stops after finishing it,
        # so the stopped run is saved here, once every hook has seen its last iteration.
        if runner.stop_requested is not None and self._last_saved_iter != runner.iter:
            self.save(runner)

    def after_val(self, runner, metrics=None):
        """Keep a ``best_<metric>`` copy when ``metrics`` (default: the runner's latest)
        improve on the best score so far."""
        metrics = runner.val_metrics if metrics is None else metrics
        if not self.save_best or self.save_best not in metrics:
            return
        score = float(metrics[self.save_best])
        if self.best_score is not None and score <= self.best_score:
            return
        self.best_score = score
        tag = self.save_best.replace('&', '').replace('-', '_')
        self.save(runner, name=f'best_{tag}', update_last=False)

    def after_load_checkpoint(self, runner, meta):
        self.best_score = meta.get('best_score', self.best_score)
        self._last_saved_iter = runner.iter

    def save(self, runner, name=None, update_last=True):
        """Write a checkpoint of the runner's current state (``runner.save_checkpoint``) with
        this hook's best score in its meta."""
        prefix = runner.save_checkpoint(name, dict(best_score=self.best_score),
                                        out_dir=self.out_dir,
                                        max_keep=self.max_keep if update_last else None,
                                        update_last=update_last)
        if update_last:
            self._last_saved_iter = runner.iter
        return prefix
