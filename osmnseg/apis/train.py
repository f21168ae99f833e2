"""``train_segmentor``: everything tools/train.py does after parsing its arguments.

Precedence of settings: command line > config file > defaults (applied by tools/train.py
before calling this).
"""
import os
import time

import tensorflow as tf

from osmnseg.apis.validation import DatasetEvaluator
from osmnseg.devices import build_device, device_config
from osmnseg.runner import build_runner
from osmnseg.runner.dist_utils import worker_info
from osmnseg.utils.collect_env import env_report_text
from osmnseg.utils.errors import ConfigError
from osmnseg.utils.logging import get_logger
from osmnseg.utils.seeding import set_random_seed

LAUNCHERS = ('none', 'mirrored', 'multi_worker')


def build_strategy(device, launcher):
    """The distribution strategy of a run.

    Args:
        device: an ``osmnseg.devices.Device`` (not yet set up).
        launcher: ``'none'``: the device's own strategy (one device, or ``MirroredStrategy``
            when the device config names several: GPU ``ids``, CPU ``num_logical_devices``);
            ``'mirrored'``: the same, but it must be a ``MirroredStrategy`` with at least two
            replicas; ``'multi_worker'``: ``MultiWorkerMirroredStrategy`` over the cluster in
            ``TF_CONFIG`` (one process per machine, each on its local devices).
    """
    if launcher not in LAUNCHERS:
        raise ConfigError(f"launcher must be one of {', '.join(LAUNCHERS)}, got {launcher!r}.")
    if launcher == 'multi_worker':
        if not os.environ.get('TF_CONFIG'):
            raise ConfigError('--launcher multi_worker needs the cluster in the TF_CONFIG '
                              'environment variable (see docs/distributed.md).')
        device.setup()
        return tf.distribute.MultiWorkerMirroredStrategy()
    strategy = device.strategy()
    if launcher == 'mirrored' and strategy.num_replicas_in_sync < 2:
        raise ConfigError('--launcher mirrored found a single device: pass several GPUs '
                          '(--gpu-ids 0 1) or split the CPU with --cfg-options '
                          'device.num_logical_devices=2.')
    return strategy


def train_segmentor(cfg, launcher='none'):
    """Train ``cfg`` (whose ``work_dir`` is set) and return the runner after the run.

    Creates the work dir, its ``<timestamp>.log`` (starting with the environment report; other
    workers of a multi-worker run write ``<timestamp>.worker<i>.log``), the dumped config (by
    the chief), then builds and runs the runner.
    """
    device = build_device(device_config(cfg))
    strategy = build_strategy(device, launcher)
    is_chief, task_id = worker_info(strategy)
    os.makedirs(cfg.work_dir, exist_ok=True)
    timestamp = time.strftime('%Y%m%d_%H%M%S', time.localtime())
    log_name = f'{timestamp}.log' if is_chief else f'{timestamp}.worker{task_id}.log'
    logger = get_logger('osmnseg', log_file=os.path.join(cfg.work_dir, log_name))
    logger.info('Environment:\n' + env_report_text())
    if is_chief:
        config_name = os.path.basename(cfg.filename) if cfg.filename else 'config.py'
        cfg.dump(os.path.join(cfg.work_dir, config_name))
    logger.info(f'Config:\n{cfg.pretty_text}')
    logger.info(f'device: {device!r}, launcher: {launcher}, strategy: '
                f'{type(strategy).__name__} with {strategy.num_replicas_in_sync} replica(s)')
    set_random_seed(cfg.seed, deterministic=cfg.get('deterministic', False))
    logger.info(f"seed: {cfg.seed}, deterministic: {cfg.get('deterministic', False)}")

    runner = build_runner(cfg, device, strategy, logger, timestamp,
                          evaluator=DatasetEvaluator.from_config(cfg))
    runner.run()
    return runner
