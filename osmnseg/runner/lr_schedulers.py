"""Learning-rate schedules (LR_SCHEDULERS registry): the LR as a pure function of the iteration.

The runner assigns ``schedule(iteration)`` to the optimizer's learning-rate variable before every
iteration. That variable is saved in checkpoints; on resume the runner compares it with the
schedule's value for the restored iteration and says so if the config changed the schedule.
The schedules follow mmcv's ``lr_config`` keys (``policy`` names the type, without mangling).

The original OSMN stage-1 recipe (1e-5 up to iteration 200k, then 1e-6 up to 300k, done by
re-running with a smaller learning rate) is ``dict(policy='step', step=[200000], gamma=0.1)``.
"""
import abc
import math

from osmnseg.registry import LR_SCHEDULERS


class LRSchedule(abc.ABC):
    """Base class: ``__call__(iteration) -> lr`` for iterations counted from 1.

    Args:
        base_lr: the optimizer's configured learning rate.
        max_iters: the run's last iteration (used by poly and cosine).
        warmup: None, 'constant', 'linear' or 'exp' (mmcv semantics).
        warmup_iters: number of warm-up iterations.
        warmup_ratio: LR factor at iteration 1 of the warm-up.
    """

    def __init__(self, base_lr, max_iters, warmup=None, warmup_iters=0, warmup_ratio=0.1):
        if warmup not in (None, 'constant', 'linear', 'exp'):
            raise ValueError(f"lr_config.warmup must be None, 'constant', 'linear' or 'exp', got {warmup!r}")
        self.base_lr = float(base_lr)
        self.max_iters = int(max_iters)
        self.warmup = warmup
        self.warmup_iters = int(warmup_iters)
        self.warmup_ratio = float(warmup_ratio)

    @abc.abstractmethod
    def regular_lr(self, iteration):
        """The LR at ``iteration`` before warm-up."""

    def __call__(self, iteration):
        lr = self.regular_lr(iteration)
        if self.warmup is None or iteration > self.warmup_iters:
            return lr
        progress = (iteration - 1) / max(self.warmup_iters, 1)
        if self.warmup == 'constant':
            return lr * self.warmup_ratio
        if self.warmup == 'linear':
            return lr * (1 - (1 - progress) * (1 - self.warmup_ratio))
        return lr * self.warmup_ratio ** (1 - progress)


@LR_SCHEDULERS.register_module(name=['constant', 'Constant'])
class ConstantLR(LRSchedule):
    """The original OSMN schedule: the same LR for the whole run."""

    def regular_lr(self, iteration):
        return self.base_lr


@LR_SCHEDULERS.register_module(name=['step', 'Step'])
class StepLR(LRSchedule):
    """Multiply the LR by ``gamma`` after each iteration listed in ``step`` (int or list)."""

    def __init__(self, base_lr, max_iters, step, gamma=0.1, min_lr=None, **kwargs):
        super().__init__(base_lr, max_iters, **kwargs)
        self.steps = sorted([step] if isinstance(step, int) else list(step))
        self.gamma = float(gamma)
        self.min_lr = min_lr

    def regular_lr(self, iteration):
        passed = sum(1 for s in self.steps if iteration > s)
        lr = self.base_lr * self.gamma ** passed
        return lr if self.min_lr is None else max(lr, self.min_lr)


@LR_SCHEDULERS.register_module(name=['poly', 'Poly'])
class PolyLR(LRSchedule):
    """``(base_lr - min_lr) * (1 - (it-1)/max_iters) ** power + min_lr`` (mmcv's poly)."""

    def __init__(self, base_lr, max_iters, power=0.9, min_lr=0.0, **kwargs):
        super().__init__(base_lr, max_iters, **kwargs)
        self.power = float(power)
        self.min_lr = float(min_lr)

    def regular_lr(self, iteration):
        coeff = (1 - (iteration - 1) / self.max_iters) ** self.power
        return (self.base_lr - self.min_lr) * coeff + self.min_lr


@LR_SCHEDULERS.register_module(name=['cosine', 'CosineAnnealing'])
class CosineLR(LRSchedule):
    """Cosine annealing from ``base_lr`` to ``min_lr`` over the run."""

    def __init__(self, base_lr, max_iters, min_lr=0.0, **kwargs):
        super().__init__(base_lr, max_iters, **kwargs)
        self.min_lr = float(min_lr)

    def regular_lr(self, iteration):
        progress = (iteration - 1) / self.max_iters
        return self.min_lr + 0.5 * (self.base_lr - self.min_lr) * (1 + math.cos(math.pi * progress))


def build_lr_schedule(lr_config, base_lr, max_iters):
    """Build a schedule from an mmcv-style ``lr_config`` dict (``policy`` names the type)."""
    cfg = dict(lr_config or dict(policy='constant'))
    policy = cfg.pop('policy', 'constant')
    return LR_SCHEDULERS.build(dict(type=policy, **cfg), dict(base_lr=base_lr, max_iters=max_iters),
                               key='lr_config')
