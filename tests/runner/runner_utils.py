"""Helpers of the runner tests: tiny config files, ``tools/train.py`` command lines, JSON-log
readers and in-process runners (built, restored, never traced)."""
import glob
import json
import logging
import os
import textwrap

from osmnseg.config import Config

RUNNER_TESTS = os.path.dirname(os.path.abspath(__file__))
TINY_CONFIG = os.path.join(RUNNER_TESTS, 'configs', 'tiny_toyvos.py')
REPO = os.path.dirname(os.path.dirname(RUNNER_TESTS))
TRAIN = os.path.join(REPO, 'tools', 'train.py')
# A schedule that does not depend on max_iters, so that a run can be killed in a long run
# and resumed in a short one with the same learning rates.
STEP_SCHEDULE = "lr_config = dict(policy='step', step=[5], gamma=0.5, warmup='linear', " \
                "warmup_iters=3, warmup_ratio=0.1)"


def write_config(folder, data_root, extra='', name='config.py', base=TINY_CONFIG):
    """Write ``<folder>/<name>``: ``base`` with every data root at ``data_root`` plus the
    Python lines ``extra``; returns its path."""
    text = textwrap.dedent(f"""\
        _base_ = {base!r}
        data = dict(train=dict(data_root={data_root!r}), val=dict(data_root={data_root!r}),
                    test=dict(data_root={data_root!r}))
        """) + textwrap.dedent(extra)
    path = os.path.join(str(folder), name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def train_args(config, work_dir, *options):
    """The ``tools/train.py`` command line (for ``run_subprocess``)."""
    return ['python', TRAIN, config, '--work-dir', work_dir, *options]


def read_json_log(work_dir, mode='train'):
    """The ``mode`` records of every ``*.log.json`` of ``work_dir`` (oldest run first)."""
    records = []
    for path in sorted(glob.glob(os.path.join(str(work_dir), '*.log.json'))):
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return [r for r in records if r.get('mode') == mode]


def losses_by_iter(work_dir, key='loss'):
    return {r['iter']: r[key] for r in read_json_log(work_dir)}


def text_log(work_dir):
    """The text of every ``*.log`` of ``work_dir`` (oldest first)."""
    texts = []
    for path in sorted(glob.glob(os.path.join(str(work_dir), '*.log'))):
        with open(path) as f:
            texts.append(f.read())
    return '\n'.join(texts)


def build_tiny_runner(config_path, work_dir, **settings):
    """An in-process runner of ``config_path`` (built as tools/train.py would, on one CPU
    device) with ``settings`` set on the config; ``runner.prepare()`` restores without tracing."""
    from osmnseg.devices import build_device
    from osmnseg.runner import build_runner

    cfg = Config.fromfile(config_path)
    cfg.work_dir = str(work_dir)
    cfg.seed = 0
    for key, value in settings.items():
        cfg[key] = value
    device = build_device('cpu')
    logger = logging.getLogger(f'osmnseg.test_runner.{id(cfg)}')
    logger.setLevel(logging.INFO)
    return build_runner(cfg, device, device.strategy(), logger, 'test')
