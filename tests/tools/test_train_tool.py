"""tools/train.py: how the command line is merged into the config (CLI > config > default)."""
import os

import pytest

from osmnseg.config import Config
from osmnseg.utils.errors import ConfigError
from tool_loader import load_tool

train = load_tool('train')
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(TESTS, 'runner', 'configs', 'tiny_toyvos.py')


def merged(*argv):
    args = train.parse_args([CONFIG, *argv])
    return train.merge_args(Config.fromfile(CONFIG), args)


def test_defaults():
    cfg = merged()
    assert cfg.work_dir == os.path.join('work_dirs', 'tiny_toyvos')
    assert cfg.seed == 0 and not cfg.deterministic and cfg.validate
    assert not cfg.get('resume_from') and not cfg.get('load_from')
    assert cfg.device == dict(type='CPU')


def test_command_line_wins():
    cfg = merged('--work-dir', 'out', '--seed', '7', '--deterministic', '--no-validate',
                 '--cfg-options', 'runner.max_iters=20', 'checkpoint_config.interval=5')
    assert (cfg.work_dir, cfg.seed, cfg.deterministic, cfg.validate) == ('out', 7, True, False)
    assert cfg.runner.max_iters == 20 and cfg.checkpoint_config.interval == 5


def test_resume_forms():
    cfg = merged('--work-dir', 'out', '--resume')
    assert cfg.resume_from == 'out' and cfg.auto_resume
    cfg = merged('--resume', 'out/iter_4')
    assert cfg.resume_from == 'out/iter_4' and not cfg.auto_resume
    assert merged('--load-from', 'x.ckpt').load_from == 'x.ckpt'


def test_resume_and_load_from_together_is_an_error():
    with pytest.raises(ConfigError, match='--resume and --load-from were both given'):
        merged('--resume', '--load-from', 'x.ckpt')


def test_main_prints_one_line_for_user_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main([CONFIG, '--resume', 'a', '--load-from', 'b'])
    assert str(exit_info.value).startswith('error: --resume and --load-from were both given')
    assert '\n' not in str(exit_info.value)


def test_device_and_its_options():
    cfg = merged('--device', 'cpu', '--cfg-options', 'device.num_logical_devices=2')
    assert cfg.device == dict(type='CPU', num_logical_devices=2)
    cfg = merged('--device', 'gpu', '--gpu-ids', '0', '1')
    assert cfg.device == dict(type='GPU', ids=[0, 1])


def test_amp_adds_the_mixed_precision_hook_once():
    cfg = merged('--amp')
    assert [h['type'] for h in cfg.custom_hooks] == ['MixedPrecisionHook']
    args = train.parse_args([CONFIG, '--amp'])
    assert len(train.merge_args(cfg, args).custom_hooks) == 1
