"""EvalHook: when to validate during training (what validating means is the runner's evaluator)."""
from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook


@HOOKS.register_module()
class EvalHook(Hook):
    """Every ``interval`` iterations (and after the last one) run ``runner.validate()``.

    The config's ``evaluation`` dict builds this hook; its ``metric`` list selects the figures
    of the evaluator (``val_evaluator``, see ``osmnseg.apis.validation``, the same scoring path
    as ``tools/test.py``) and its ``save_best`` configures the checkpoint hook.

    Args:
        interval: iterations between evaluations.
    """

    priority = 'ABOVE_NORMAL'  # before the checkpoint hook, which keeps the best checkpoint

    def __init__(self, interval=5000):
        self.interval = int(interval)

    def after_train_iter(self, runner):
        if self.every_n_iters(runner, self.interval) or self.is_last_iter(runner):
            runner.validate()
