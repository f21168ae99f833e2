"""EvalHook: VOS evaluation (J&F on the validation sequences) during training."""
from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook


@HOOKS.register_module()
class EvalHook(Hook):
    """Every ``interval`` iterations (and after the last one) segment ``cfg.data.val`` with the
    current weights, put the global metrics into ``runner.val_metrics`` and log them.

    Args:
        interval: iterations between evaluations.
        metric: metrics to compute (``'J'``, ``'F'``, ``'J&F'``, ``'mIoU'``).
        save_best: a global metric name (e.g. ``'J&F-Mean'``); the checkpoint hook then keeps a
            ``best_*`` checkpoint of the best score so far.
    """

    priority = 'ABOVE_NORMAL'  # before the checkpoint hook, which reads the metrics

    def __init__(self, interval=5000, metric=('J', 'F'), save_best=None):
        self.interval = int(interval)
        self.metric = [metric] if isinstance(metric, str) else list(metric)
        self.save_best = save_best
        self._dataset = None

    def before_run(self, runner):
        hook = runner.get_hook('CheckpointHook')
        if self.save_best and hook is not None:
            hook.save_best = self.save_best

    def after_train_iter(self, runner):
        if self.every_n_iters(runner, self.interval) or self.is_last_iter(runner):
            self.evaluate(runner)

    def evaluate(self, runner):
        from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
        from osmnseg.apis.test import evaluate_dataset
        from osmnseg.datasets import build_dataset

        if self._dataset is None:
            self._dataset = build_dataset(runner.cfg.data.val)
        runner.call_hook('before_val')
        segmenter = VideoSegmenter(runner.model, InferenceSettings.from_config(runner.cfg))
        results = evaluate_dataset(segmenter, self._dataset, metrics=self.metric, progress=False)
        runner.val_metrics = {k: float(v) for k, v in results.global_metrics.items()}
        runner.call_hook('after_val')
