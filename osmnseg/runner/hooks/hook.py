"""The hook base class: explicit no-op lifecycle methods and priorities (after mmengine).

A hook is called by the runner at fixed points of a run. Every point is a method below; a hook
overrides the ones it needs. Hooks run in ascending priority value (0 = highest priority), ties in
registration order; the runner logs the resulting order at the start of a run.
"""

PRIORITIES = {
    'HIGHEST': 0,
    'VERY_HIGH': 10,
    'HIGH': 30,
    'ABOVE_NORMAL': 40,
    'NORMAL': 50,
    'BELOW_NORMAL': 60,
    'LOW': 70,
    'VERY_LOW': 90,
    'LOWEST': 100,
}


def get_priority(priority):
    """Turn a priority name or number into an int in [0, 100]."""
    if isinstance(priority, str):
        key = priority.upper()
        if key not in PRIORITIES:
            raise ValueError(f"unknown hook priority '{priority}'; use one of {', '.join(PRIORITIES)} "
                             f"or an int in [0, 100]")
        return PRIORITIES[key]
    if not isinstance(priority, int) or not 0 <= priority <= 100:
        raise ValueError(f'hook priority must be an int in [0, 100], got {priority!r}')
    return priority


class Hook:
    """Base class of runner hooks. ``priority`` may be set per instance (config key ``priority``)."""

    priority = 'NORMAL'

    def before_run(self, runner):
        """Once, after model, optimizer and hooks are built, before any checkpoint is loaded."""

    def after_run(self, runner):
        """Once, after the last iteration (also after SIGINT/SIGTERM stopped the run; the
        checkpoint hook saves that iteration here)."""

    def before_train_iter(self, runner):
        """Before each training iteration; ``runner.iter`` is the number of finished iterations."""

    def after_train_iter(self, runner):
        """After each training iteration; ``runner.outputs`` holds its losses as Python floats."""

    def before_val(self, runner):
        """Before a validation pass."""

    def after_val(self, runner, metrics):
        """After a validation pass, with its ``{metric name: float}`` (also kept as
        ``runner.val_metrics``)."""

    def before_save_checkpoint(self, runner, meta):
        """Before a checkpoint is written; a hook may add JSON-able entries to ``meta``."""

    def after_load_checkpoint(self, runner, meta):
        """After a checkpoint (resume) was restored, with the meta it was saved with."""

    # helpers shared by hooks
    @staticmethod
    def every_n_iters(runner, n):
        """True after iterations n, 2n, ... (iterations counted from 1)."""
        return n > 0 and runner.iter % n == 0

    @staticmethod
    def is_last_iter(runner):
        return runner.iter >= runner.max_iters

    def __repr__(self):
        return type(self).__name__
