"""Hook priorities and ordering, and CheckpointHook's max_keep / save_best on an in-process
runner (no training: the hooks are called directly)."""
import json
import os

import pytest

from osmnseg.runner.hooks import PRIORITIES, Hook, get_priority
from runner_utils import build_tiny_runner, write_config


def test_priorities_use_mmcv_names_and_numbers():
    assert [get_priority(n) for n in ('HIGHEST', 'very_high', 'NORMAL', 'LOWEST')] == [0, 10,
                                                                                      50, 100]
    assert get_priority(42) == 42 and PRIORITIES['ABOVE_NORMAL'] == 40
    for bad in ('URGENT', 101, -1, 1.5):
        with pytest.raises(ValueError):
            get_priority(bad)


class First(Hook):
    priority = 'HIGH'


class Second(Hook):
    priority = 'HIGH'

    def after_train_iter(self, runner):
        pass


@pytest.fixture(scope='module')
def runner(tmp_path_factory, tiny_toyvos):
    folder = tmp_path_factory.mktemp('hooks')
    extra = ("checkpoint_config = dict(interval=2, max_keep=2, save_best='J&F-Mean')\n"
             "evaluation = dict(interval=2)\n")
    runner = build_tiny_runner(write_config(folder, tiny_toyvos, extra), folder / 'work_dir')
    runner.prepare()
    return runner


def test_registration_is_sorted_and_stable_for_ties(runner):
    first, second = First(), Second()
    runner.register_hook(first)
    runner.register_hook(second)
    runner.register_hook(Hook(), priority=100)
    names = [(h.priority, type(h).__name__) for h in runner.hooks]
    assert names == sorted(names, key=lambda item: item[0])
    assert names.index((30, 'First')) + 1 == names.index((30, 'Second'))
    text = runner.hook_order_text()
    # only the points a hook overrides are listed for it
    after_iter = text.split('after_train_iter:\n')[1].split(':\n')[0]
    assert '(30 ) Second' in after_iter and 'First' not in text
    assert text.split('\n')[0] == 'Hooks will be executed in the following order:'
    assert '(40 ) EvalHook' in after_iter and after_iter.index('EvalHook') < \
        after_iter.index('CheckpointHook')
    for hook in (first, second):
        runner.hooks.remove(hook)
    runner.hooks.pop()


def test_max_keep_and_save_best(runner):
    hook = runner.get_hook('CheckpointHook')
    work_dir = runner.work_dir
    for iteration, score in ((2, 0.5), (4, 0.7), (6, 0.6), (8, 0.65)):
        runner.set_iteration(iteration)
        runner.val_metrics = {'J&F-Mean': score}
        hook.after_val(runner)         # stand-in metric, as the EvalHook would set it
        hook.after_train_iter(runner)  # interval 2: saves iter_<iteration>
    names = sorted(os.listdir(work_dir))
    assert [n for n in names if n.endswith('.index')] == [
        'best_JF_Mean.index', 'iter_6.index', 'iter_8.index']
    with open(os.path.join(work_dir, 'best_JF_Mean.json')) as f:
        best = json.load(f)
    assert best['iteration'] == 4 and best['best_score'] == 0.7
    assert best['metrics'] == {'J&F-Mean': 0.7}
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == 'iter_8\n'  # best copies never move last_checkpoint


def test_logger_averages_losses_and_times_over_the_interval(tmp_path):
    """As mmcv: a line every 3 iterations carries the means of the loss terms, time and
    data_time since the previous line, with the current lr and eta."""
    import logging
    import types

    from osmnseg.runner.hooks.logger_hook import LoggerHook

    hook = LoggerHook(interval=3, image_interval=0, tensorboard=False)
    runner = types.SimpleNamespace(is_chief=True, work_dir=str(tmp_path), timestamp='t',
                                   max_iters=7, logger=logging.getLogger('test_logger_hook'))
    hook.before_run(runner)
    for it in range(1, 8):
        runner.iter = it
        runner.outputs = dict(lr=0.1 * it, loss=float(it), loss_main=2.0 * it)
        runner.log_buffer = dict(time=10.0 * it, data_time=1.0, eta=100.0 - it)
        hook.after_train_iter(runner)
    with open(tmp_path / 't.log.json') as f:
        records = [json.loads(line) for line in f]
    assert [r['iter'] for r in records] == [1, 3, 6, 7]  # first, every 3rd, last
    assert [r['loss'] for r in records] == [1.0, 2.5, 5.0, 7.0]  # means of 1 | 2,3 | 4,5,6 | 7
    assert [r['loss_main'] for r in records] == [2.0, 5.0, 10.0, 14.0]
    assert [r['time'] for r in records] == [10.0, 25.0, 50.0, 70.0]
    assert [r['lr'] for r in records] == pytest.approx([0.1, 0.3, 0.6, 0.7])
    assert [r['eta'] for r in records] == [99.0, 97.0, 94.0, 93.0]
