"""``build_runner``: an :class:`IterBasedRunner` from a config (mmseg 0.x keys)."""
from osmnseg.runner.lr_schedulers import build_lr_schedule
from osmnseg.runner.optimizers import build_optimizer
from osmnseg.runner.restore import check_restore_options
from osmnseg.runner.runner import IterBasedRunner
from osmnseg.utils.errors import ConfigError

RUNNER_KEYS = ('type', 'max_iters', 'jit_compile', 'eager')
OPTIMIZER_CONFIG_KEYS = ('accumulate', 'grad_clip')


def parse_runner_cfg(cfg):
    """``(max_iters, step_options)`` from ``cfg.runner`` and ``cfg.optimizer_config``."""
    runner_cfg = dict(cfg.get('runner') or {})
    if runner_cfg.get('type', 'IterBasedRunner') != 'IterBasedRunner':
        raise ConfigError("runner.type must be 'IterBasedRunner' (training is iteration based).")
    if 'max_iters' not in runner_cfg:
        raise ConfigError("runner.max_iters is missing: set runner=dict(type='IterBasedRunner', "
                          'max_iters=N) or --cfg-options runner.max_iters=N.')
    unknown = sorted(set(runner_cfg) - set(RUNNER_KEYS))
    if unknown:
        raise ConfigError(f'runner has unknown keys {unknown}; known: {", ".join(RUNNER_KEYS)}.')
    extra = dict(cfg.get('optimizer_config') or {})
    unknown = sorted(set(extra) - set(OPTIMIZER_CONFIG_KEYS))
    if unknown:
        raise ConfigError(f'optimizer_config has unknown keys {unknown}; known: '
                          f'{", ".join(OPTIMIZER_CONFIG_KEYS)}.')
    accumulate = extra.get('accumulate') or 1
    if not isinstance(accumulate, int) or accumulate < 1:
        raise ConfigError(f'optimizer_config.accumulate must be a positive integer, got '
                          f'{accumulate!r}.')
    grad_clip = extra.get('grad_clip')
    if grad_clip is not None and set(grad_clip) != {'max_norm'}:
        raise ConfigError('optimizer_config.grad_clip must be None or dict(max_norm=X).')
    step_options = dict(accumulate=accumulate,
                        max_grad_norm=grad_clip['max_norm'] if grad_clip else None,
                        jit_compile=bool(runner_cfg.get('jit_compile', False)),
                        eager=bool(runner_cfg.get('eager', False)))
    return int(runner_cfg['max_iters']), step_options


def build_runner(cfg, device, strategy, logger, timestamp, evaluator=None):
    """Build an :class:`IterBasedRunner` from a config (``runner``, ``model``, ``optimizer``,
    ``optimizer_config``, ``lr_config``, ``data``, ``seed``, hooks) under ``strategy``.

    Args:
        cfg: the config; ``cfg.work_dir`` must be set.
        device: the ``osmnseg.devices.Device`` the strategy came from.
        strategy: ``tf.distribute.Strategy``.
        logger: the run's logger.
        timestamp: run id used for log file names.
        evaluator: callable ``model -> {metric: float}`` for validation during training
            (``osmnseg.apis.validation.DatasetEvaluator``); None: no validation.
    """
    from osmnseg.datasets import build_dataset
    from osmnseg.datasets.loader import build_train_loader
    from osmnseg.datasets.pipelines import visual_guide_size
    from osmnseg.models import build_segmentor

    check_restore_options(cfg)
    max_iters, step_options = parse_runner_cfg(cfg)
    with strategy.scope():
        model = build_segmentor(cfg.model)
        optimizer = build_optimizer(cfg.optimizer)
    lr_schedule = build_lr_schedule(cfg.get('lr_config'), cfg.optimizer['lr'], max_iters)

    dataset = build_dataset(cfg.data.train)
    loader_cfg = dict(cfg.data.get('train_loader') or {})
    loader_cfg.setdefault('guide_size', visual_guide_size(cfg.data.train.get('pipeline')))
    batch_size = cfg.data.samples_per_gpu * strategy.num_replicas_in_sync
    seed = cfg.get('seed') or 0
    logger.info(f'training set: {len(dataset)} samples; batch {batch_size} = '
                f'{cfg.data.samples_per_gpu} per replica x {strategy.num_replicas_in_sync} '
                f'replica(s)')

    def make_dataset(start_iter, input_context):
        loader = build_train_loader(dataset, batch_size=batch_size, seed=seed,
                                    start_iter=start_iter, input_context=input_context,
                                    **loader_cfg)
        return loader.dataset

    runner = IterBasedRunner(cfg, model, optimizer, lr_schedule, make_dataset, device, strategy,
                             cfg.work_dir, logger, max_iters, timestamp, step_options, evaluator)
    runner.register_hooks_from_config()
    return runner
