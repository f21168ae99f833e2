"""SIGTERM stops a real run after saving a checkpoint; the EvalHook scores the tiny ToyVOS val
split during training, logs J&F and feeds CheckpointHook's ``save_best``."""
import json
import os
import signal
import time

import pytest

from runner_utils import read_json_log, text_log, train_args, write_config

CONFIG = """
runner = dict(max_iters=1000)
checkpoint_config = dict(interval=100, max_keep=2, save_best='J&F-Mean')
evaluation = dict(interval=2, metric=['J', 'F'])
"""


def _wait_for_iteration(process, work_dir, iteration, timeout=400):
    """Poll the JSON log until it holds a training record of ``iteration``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, open(process.output_path).read()[-3000:]
        if os.path.isdir(work_dir) and any(r['iter'] >= iteration for r in read_json_log(work_dir)):
            return
        time.sleep(0.05)
    pytest.fail(f'iteration {iteration} was not logged in {work_dir} within {timeout}s')


def test_sigterm_saves_and_eval_feeds_save_best(tmp_path, tiny_toyvos, start_subprocess):
    config = write_config(tmp_path, tiny_toyvos, CONFIG)
    work_dir = str(tmp_path / 'work_dir')
    process = start_subprocess(train_args(config, work_dir))
    _wait_for_iteration(process, work_dir, 3)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=300) == 1
    with open(process.output_path) as f:
        output = f.read()
    stopped = int(output.split('training stopped by SIGTERM after iteration ')[1].split(';')[0])
    assert stopped >= 3
    # a checkpoint of the iteration at which it stopped (interval 100 would not have saved)
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == f'iter_{stopped}\n'
    with open(os.path.join(work_dir, f'iter_{stopped}.json')) as f:
        meta = json.load(f)
    assert meta['iteration'] == stopped and 'J&F-Mean' in meta['metrics']

    # evaluation every 2 iterations: logged (text and JSON) and kept as best_JF_Mean
    log = text_log(work_dir)
    assert 'received SIGTERM' in log and 'Val @ iter 2: ' in log and 'J&F-Mean: ' in log
    val = read_json_log(work_dir, mode='val')
    assert [r['iter'] for r in val][:1] == [2]
    assert all(0 <= r['J&F-Mean'] <= 1 for r in val)
    best = max(val, key=lambda r: r['J&F-Mean'])
    with open(os.path.join(work_dir, 'best_JF_Mean.json')) as f:
        best_meta = json.load(f)
    assert best_meta['best_score'] == pytest.approx(best['J&F-Mean'])
    assert best_meta['iteration'] == min(r['iter'] for r in val
                                         if r['J&F-Mean'] == best['J&F-Mean'])
    assert os.path.isfile(os.path.join(work_dir, 'best_JF_Mean.index'))
