"""NanGuardHook: stop on a non-finite loss before anything is saved over a good checkpoint."""
import math

import keras

from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook
from osmnseg.utils.errors import TrainingError


@HOOKS.register_module()
class NanGuardHook(Hook):
    """Check every iteration's loss.

    Without loss scaling a non-finite loss raises ``TrainingError`` at once: it runs before the
    checkpoint hook, so the last checkpoint on disk stays the last good one. Under a dynamic
    loss-scale optimizer a non-finite step was skipped by the optimizer (and the scale lowered);
    training goes on unless ``max_skipped`` consecutive steps were skipped.
    """

    priority = 'VERY_HIGH'

    def __init__(self, max_skipped=20):
        self.max_skipped = int(max_skipped)
        self._skipped = 0

    def after_train_iter(self, runner):
        loss = runner.outputs.get('loss')
        if loss is None or math.isfinite(loss):
            self._skipped = 0
            return
        message = (f'the loss is {loss} at iteration {runner.iter} '
                   f"(main {runner.outputs.get('loss_main')}, L2 {runner.outputs.get('loss_reg')})")
        if isinstance(runner.optimizer, keras.optimizers.LossScaleOptimizer):
            self._skipped += 1
            runner.logger.warning(f'{message}: step skipped by the loss-scale optimizer')
            if self._skipped < self.max_skipped:
                return
            message += f' for {self._skipped} consecutive iterations'
        raise TrainingError(f'{message}; training stopped without saving. Lower the learning rate, '
                            f'check the data, or resume from the last checkpoint in {runner.work_dir}.')
