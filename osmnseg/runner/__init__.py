"""Training: the iteration-based runner, its hooks, optimizers and LR schedules."""
from osmnseg.runner.builder import build_runner
from osmnseg.runner.hooks import Hook
from osmnseg.runner.lr_schedulers import build_lr_schedule
from osmnseg.runner.optimizers import build_optimizer
from osmnseg.runner.runner import IterBasedRunner
from osmnseg.runner.train_step import TrainStep

__all__ = ['Hook', 'IterBasedRunner', 'TrainStep', 'build_runner', 'build_optimizer',
           'build_lr_schedule']
