"""IterTimerHook: iteration time, data time, ETA, and a tqdm bar on an interactive terminal."""
import sys
import time

from tqdm import tqdm

from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook


@HOOKS.register_module()
class IterTimerHook(Hook):
    """Put ``time`` (s per iteration), ``data_time`` and ``eta`` (s) into ``runner.log_buffer``.

    Args:
        progress_bar: 'auto' (a tqdm bar when stderr is a terminal), True or False.
    """

    priority = 'LOW'

    def __init__(self, progress_bar='auto'):
        self.progress_bar = sys.stderr.isatty() if progress_bar == 'auto' else bool(progress_bar)
        self._bar = None
        self._start = None
        self._first_iter = None
        self._total_time = 0.0

    def before_run(self, runner):
        if self.progress_bar:
            self._bar = tqdm(total=runner.max_iters, desc='train', unit='it', dynamic_ncols=True)

    def before_train_iter(self, runner):
        if self._first_iter is None:
            self._first_iter = runner.iter
            if self._bar is not None:
                self._bar.update(runner.iter)
        self._start = time.perf_counter()

    def after_train_iter(self, runner):
        elapsed = time.perf_counter() - self._start
        done = runner.iter - self._first_iter
        # the first iteration traces the step function: leave it out of the ETA
        if done > 1:
            self._total_time += elapsed
        mean = self._total_time / (done - 1) if done > 1 else elapsed
        runner.log_buffer.update(time=elapsed, data_time=runner.data_time,
                                 eta=mean * (runner.max_iters - runner.iter))
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(loss=f"{runner.outputs.get('loss', float('nan')):.4g}")

    def after_run(self, runner):
        if self._bar is not None:
            self._bar.close()
