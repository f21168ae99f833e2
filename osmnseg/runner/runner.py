"""The iteration-based runner: the training loop and its hook points.

Order of a run (hooks named in brackets):

1. (``build_runner``) device strategy, model (under the strategy's scope), optimizer, LR
   schedule, hooks;
2. [before_run] (e.g. the mixed-precision hook sets the compute dtype and wraps the optimizer);
   the hook order is logged; the train step (and its gradient accumulators) is created;
3. restore: ``resume_from`` (everything: weights, optimizer moments, loss scale, LR, iteration,
   RNG, accumulated gradients; the data position is the iteration) or ``load_from`` (weights
   only) — never both; [after_load_checkpoint];
4. build the data loader starting at the restored iteration (batch i is a pure function of the
   seed and i, so a resumed run sees exactly the batches it would have seen);
5. loop: [before_train_iter], set LR, fetch batch (data_time), train step, [after_train_iter];
   SIGINT/SIGTERM finish the current iteration and stop;
6. [after_run] (after a stop, the checkpoint hook saves the last iteration here).

Validation is the ``evaluator`` the runner is given (``osmnseg.apis`` builds it: the runner
never imports the high-level API); :meth:`IterBasedRunner.validate` runs it between
[before_val] and [after_val], which receives the metrics. Checkpoints are written by
:meth:`IterBasedRunner.save_checkpoint`; hooks decide when.
"""
import os
import shutil
import signal
import time

import tensorflow as tf

from osmnseg.models.checkpoint import save_checkpoint
from osmnseg.registry import HOOKS
from osmnseg.runner.dist_utils import worker_info
from osmnseg.runner.hooks.hook import Hook, get_priority
from osmnseg.runner.restore import restore_training_state
from osmnseg.runner.train_step import TrainStep
from osmnseg.utils.errors import ConfigError, TrainingError

# Hooks every run has, built from the mmseg-0.x config keys (key -> hook type, priority).
DEFAULT_HOOKS = (
    ('checkpoint_config', 'CheckpointHook', 'NORMAL'),
    ('log_config', 'LoggerHook', 'VERY_LOW'),
)
HOOK_POINTS = ('before_run', 'before_train_iter', 'after_train_iter', 'before_val', 'after_val',
               'before_save_checkpoint', 'after_load_checkpoint', 'after_run')


class IterBasedRunner:
    """Runs training iterations of an OSMN model up to ``max_iters``.

    Args:
        cfg: the full config (``Config``); kept for the checkpoint meta and hooks.
        model: OSMN module built under ``strategy.scope()``.
        optimizer: Keras optimizer (built under the same scope).
        lr_schedule: callable ``iteration -> lr``.
        make_dataset: callable ``(start_iter, input_context) -> tf.data.Dataset`` of batch dicts
            (per replica when ``input_context`` is given).
        device: the ``osmnseg.devices.Device`` (the mixed-precision hook asks it for dtypes).
        strategy: ``tf.distribute.Strategy``.
        work_dir: output folder (logs, config dump, checkpoints, ``tf_logs/``).
        logger: ``logging.Logger`` writing to ``<work_dir>/<timestamp>.log``.
        max_iters: last iteration of the run (absolute, like the original ``training_iters``).
        timestamp: run id used for log file names.
        step_options: keyword arguments of :class:`TrainStep` (``accumulate``,
            ``max_grad_norm``, ``jit_compile``, ``eager``).
        evaluator: callable ``model -> {metric name: float}`` run by :meth:`validate`
            (``None``: the run cannot validate).
    """

    def __init__(self, cfg, model, optimizer, lr_schedule, make_dataset, device, strategy,
                 work_dir, logger, max_iters, timestamp, step_options=None, evaluator=None):
        self.cfg = cfg
        self.model = model
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.make_dataset = make_dataset
        self.device = device
        self.strategy = strategy
        self.work_dir = work_dir
        self.logger = logger
        self.max_iters = int(max_iters)
        self.timestamp = timestamp
        self.step_options = dict(step_options or {})
        self.evaluator = evaluator
        self.is_chief, self.task_id = worker_info(strategy)
        self.iter = 0
        with strategy.scope():
            self.iter_var = tf.Variable(0, dtype=tf.int64, trainable=False, name='iteration')
        self.hooks = []
        self.outputs = {}
        self.log_buffer = {}
        self.val_metrics = {}
        self.data_time = 0.0
        self.last_batch = None
        self.stop_requested = None
        self.train_step = None

    # ------------------------------------------------------------------ hooks
    def register_hook(self, hook, priority=None):
        """Insert a hook keeping the list sorted by priority (stable for ties)."""
        hook.priority = get_priority(priority if priority is not None else hook.priority)
        position = len(self.hooks)
        for i, other in enumerate(self.hooks):
            if hook.priority < other.priority:
                position = i
                break
        self.hooks.insert(position, hook)

    def register_hooks_from_config(self):
        """Build the default hooks from ``checkpoint_config`` / ``log_config`` /
        ``evaluation`` and the ``custom_hooks`` list (dicts with ``type`` and optional
        ``priority``, a name such as ``'HIGH'`` or an int in [0, 100]).

        ``evaluation.save_best`` configures the checkpoint hook (it wins over
        ``checkpoint_config.save_best``); ``evaluation.metric`` is the evaluator's."""
        evaluation = dict(self.cfg.get('evaluation') or {})
        validating = bool(evaluation) and self.cfg.get('validate', True)
        evaluation.pop('metric', None)
        save_best = evaluation.pop('save_best', None)
        self.register_hook(HOOKS.build(dict(type='IterTimerHook'), key='IterTimerHook'))
        self.register_hook(HOOKS.build(dict(type='NanGuardHook'), key='NanGuardHook'))
        for key, hook_type, priority in DEFAULT_HOOKS:
            hook_cfg = dict(self.cfg.get(key) or {})
            if key == 'checkpoint_config' and validating and save_best:
                hook_cfg['save_best'] = save_best
            self.register_hook(HOOKS.build(dict(type=hook_type, **hook_cfg), key=key), priority)
        if validating:
            self.register_hook(HOOKS.build(dict(type='EvalHook', **evaluation), key='evaluation'))
        for i, hook_cfg in enumerate(self.cfg.get('custom_hooks') or []):
            hook_cfg = dict(hook_cfg)
            priority = hook_cfg.pop('priority', None)
            self.register_hook(HOOKS.build(hook_cfg, key=f'custom_hooks.{i}'), priority)

    def call_hook(self, point, *args):
        for hook in self.hooks:
            getattr(hook, point)(self, *args)

    def get_hook(self, hook_type):
        """The first registered hook that is a ``hook_type`` (a class, or a name registered in
        HOOKS), or None."""
        if isinstance(hook_type, str):
            hook_type = HOOKS.get(hook_type)
        return next((h for h in self.hooks if isinstance(h, hook_type)), None)

    def hook_order_text(self):
        """The execution order of hooks per lifecycle point, as logged at start."""
        lines = ['Hooks will be executed in the following order:']
        for point in HOOK_POINTS:
            names = [f'({hook.priority:<3}) {type(hook).__name__}' for hook in self.hooks
                     if getattr(type(hook), point) is not getattr(Hook, point)]
            if names:
                lines.append(f'{point}:\n  ' + '\n  '.join(names))
        return '\n'.join(lines)

    # ------------------------------------------------------------------ validation, checkpoints
    def validate(self):
        """One validation pass: [before_val], the evaluator on the current model, then
        [after_val] with the metrics, which also become ``val_metrics``.

        Raises:
            ConfigError: the runner has no evaluator.
        """
        if self.evaluator is None:
            raise ConfigError('this run has no evaluator for its evaluation config; train '
                              'through osmnseg.apis.train_segmentor (tools/train.py), which '
                              'builds one, or drop evaluation=... from the config.')
        self.call_hook('before_val')
        self.val_metrics = {name: float(value) for name, value in self.evaluator(self.model).items()}
        self.call_hook('after_val', self.val_metrics)
        return self.val_metrics

    def save_checkpoint(self, name=None, meta=None, out_dir=None, max_keep=None,
                        update_last=True):
        """Write a checkpoint of the whole training state (atomically, see
        ``osmnseg.models.checkpoint.save_checkpoint``).

        Every worker takes part, only the chief's copy is kept (the others write to a scratch
        folder, as tf.distribute requires). [before_save_checkpoint] may add meta entries.

        Args:
            name: file prefix; default ``iter_<N>``.
            meta: JSON-able entries added to the run's meta (config text, versions, seed,
                iteration, learning rate, data state, latest validation metrics).
            out_dir: folder; default the work dir.
            max_keep: keep the newest ``max_keep`` ``iter_*`` checkpoints (None: all).
            update_last: point ``last_checkpoint`` at this one.

        Returns:
            the checkpoint prefix.
        """
        meta = dict(dict(config=self.cfg.pretty_text, config_file=self.cfg.filename,
                         seed=self.cfg.get('seed'), lr=self.outputs.get('lr'),
                         data_state=dict(next_batch=self.iter), metrics=dict(self.val_metrics)),
                    **(meta or {}))
        self.call_hook('before_save_checkpoint', meta)
        directory = out_dir or self.work_dir
        if not self.is_chief:
            directory = os.path.join(directory, f'.worker_{self.task_id}_scratch')
        prefix = save_checkpoint(directory, self.iter, self.model, meta, max_keep=max_keep,
                                 name=name, update_last=update_last,
                                 **self.checkpoint_trackables())
        if self.is_chief:
            self.logger.info(f'saved checkpoint {prefix} at iteration {self.iter}')
        else:
            shutil.rmtree(directory, ignore_errors=True)
        return prefix

    # ------------------------------------------------------------------ state
    def checkpoint_trackables(self):
        """Everything a checkpoint holds besides the model (which holds its own RNG state)."""
        trackables = dict(optimizer=self.optimizer, step=self.iter_var)
        if self.train_step is not None and self.train_step.accumulators:
            trackables['grad_accumulators'] = self.train_step.state
        return trackables

    def set_iteration(self, iteration):
        self.iter = int(iteration)
        self.iter_var.assign(self.iter)

    # ------------------------------------------------------------------ loop
    def _install_signal_handlers(self):
        def request_stop(signum, frame):
            self.logger.warning(f'received {signal.Signals(signum).name}: finishing iteration '
                                f'{self.iter + 1}, saving a checkpoint and stopping')
            self.stop_requested = signum

        previous = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                previous[signum] = signal.signal(signum, request_stop)
            except ValueError:  # not the main thread (e.g. tests driving the runner)
                pass
        return previous

    def _distributed_iterator(self):
        if self.strategy.num_replicas_in_sync > 1:
            dataset = self.strategy.distribute_datasets_from_function(
                lambda input_context: self.make_dataset(self.iter, input_context))
        else:
            dataset = self.make_dataset(self.iter, None)
        return iter(dataset)

    def prepare(self):
        """Steps 2-3 of a run: [before_run], hook order, train step, restore."""
        self.call_hook('before_run')
        self.logger.info(self.hook_order_text())
        with self.strategy.scope():
            self.optimizer.build(self.model.trainable_variables)
        self.train_step = TrainStep(self.model, self.optimizer, self.strategy,
                                    reduce_retracing=self.device.dynamic_shapes,
                                    **self.step_options)
        restore_training_state(self)

    def run(self):
        """Train from the current state up to ``max_iters``; returns the last outputs.

        Raises:
            TrainingError: a non-finite loss (nothing was saved after the last good
                checkpoint).
            KeyboardInterrupt: SIGINT/SIGTERM stopped the run after saving a checkpoint.
        """
        self.prepare()
        previous_handlers = self._install_signal_handlers()
        try:
            self._loop()
        except TrainingError as err:
            self.logger.error(str(err))
            raise
        finally:
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)
        self.call_hook('after_run')
        if self.stop_requested is not None:
            name = signal.Signals(self.stop_requested).name
            raise KeyboardInterrupt(f'training stopped by {name} after iteration {self.iter}; '
                                    f'resume with --resume')
        return self.outputs

    def _loop(self):
        iterator = self._distributed_iterator()
        self.logger.info(f'Start running from iteration {self.iter + 1} to {self.max_iters}, '
                         f'work_dir: {self.work_dir}')
        while self.iter < self.max_iters:
            self.call_hook('before_train_iter')
            self.optimizer.learning_rate.assign(self.lr_schedule(self.iter + 1))
            start = time.perf_counter()
            batch = next(iterator)
            self.data_time = time.perf_counter() - start
            outputs = self.train_step(batch, self.iter + 1)
            self.last_batch = batch
            self.outputs = {k: float(v) for k, v in outputs.items()}
            self.outputs['lr'] = float(self.optimizer.learning_rate.numpy())
            self.set_iteration(self.iter + 1)
            self.call_hook('after_train_iter')
            if self.stop_requested is not None:
                break
