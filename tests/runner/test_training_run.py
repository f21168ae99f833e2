"""Real ``tools/train.py`` runs of the tiny config: the work dir's contents, hooks from a user
file, exact resume after SIGKILL, and bf16 mixed precision against float32.

One deterministic reference run (8 iterations, checkpoints every 2) is shared by the module;
the other runs use the same config so that their losses can be compared with it.
"""
import os
import signal
import time

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.util import event_pb2

from runner_utils import (STEP_SCHEDULE, losses_by_iter, read_json_log, text_log, train_args,
                      write_config)
from osmnseg.runner.lr_schedulers import build_lr_schedule
from osmnseg.utils.machine import cpu_has_fast_bf16

pytestmark = pytest.mark.xdist_group('runner_training_run')

USER_HOOK = '''
import os

from osmnseg.registry import HOOKS
from osmnseg.runner.hooks import Hook


@HOOKS.register_module()
class RecordingHook(Hook):
    """Writes the iterations it sees to <work_dir>/recording_hook.txt."""

    priority = 'LOW'

    def after_train_iter(self, runner):
        with open(os.path.join(runner.work_dir, 'recording_hook.txt'), 'a') as f:
            f.write(f'{runner.iter}\\n')
'''
# A small LR (1e-5 warming up to 1e-4): Adam moves every weight by about the LR whatever its
# gradient's size, so with large LRs rounding noise in tiny gradients changes the trajectory of
# this tiny model chaotically, and bf16 could not be compared with float32.
REFERENCE = f"""
optimizer = dict(lr=1e-4)
custom_imports = dict(imports=['user_hooks'])
custom_hooks = [dict(type='RecordingHook', priority='HIGH')]
{STEP_SCHEDULE}
"""


@pytest.fixture(scope='module')
def reference(tmp_path_factory, tiny_toyvos, run_subprocess):
    """``(folder, config, work_dir)`` of the deterministic 8-iteration reference run."""
    folder = tmp_path_factory.mktemp('reference')
    (folder / 'user_hooks.py').write_text(USER_HOOK)
    config = write_config(folder, tiny_toyvos, REFERENCE)
    work_dir = str(folder / 'work_dir')
    run_subprocess(train_args(config, work_dir, '--deterministic'), extra_paths=[folder])
    return folder, config, work_dir


def test_work_dir_layout(reference):
    _, config, work_dir = reference
    names = sorted(os.listdir(work_dir))
    # max_keep=2 of the checkpoints every 2 iterations; nothing temporary is left behind
    assert [n for n in names if n.startswith('iter_')] == [
        'iter_6.data-00000-of-00001', 'iter_6.index', 'iter_6.json',
        'iter_8.data-00000-of-00001', 'iter_8.index', 'iter_8.json']
    assert not [n for n in names if 'tmp' in n]
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == 'iter_8\n'
    assert 'config.py' in names and 'tf_logs' in names
    assert len([n for n in names if n.endswith('.log')]) == 1
    log = text_log(work_dir)
    assert log.index('Environment:') < log.index('Config:') < log.index('Iter [1/8]')


def test_checkpoint_meta(reference):
    import json
    _, config, work_dir = reference
    with open(os.path.join(work_dir, 'iter_8.json')) as f:
        meta = json.load(f)
    assert meta['iteration'] == 8 and meta['checkpoint'] == 'iter_8'
    assert meta['tensorflow_version'] == tf.__version__ and meta['osmnseg_version']
    assert meta['seed'] == 0 and meta['data_state'] == {'next_batch': 8}
    assert 'RecordingHook' in meta['config'] and meta['config_file'] == config
    assert meta['lr'] == pytest.approx(5e-5)


def test_json_log_records_and_learning_rates(reference):
    _, _, work_dir = reference
    records = read_json_log(work_dir)
    assert [r['iter'] for r in records] == list(range(1, 9))
    for record in records:
        assert {'iter', 'lr', 'loss', 'loss_main', 'loss_reg', 'time', 'data_time', 'memory',
                'eta'} <= set(record)
        assert np.isfinite(record['loss']) and record['memory'] > 0
        assert record['loss'] == pytest.approx(record['loss_main'] + record['loss_reg'])
    assert records[-1]['eta'] == 0 and records[2]['eta'] > 0
    schedule = build_lr_schedule(dict(policy='step', step=[5], gamma=0.5, warmup='linear',
                                      warmup_iters=3, warmup_ratio=0.1), 1e-4, 8)
    for record in records:
        assert record['lr'] == pytest.approx(schedule(record['iter']), rel=1e-6)
    assert records[0]['lr'] == pytest.approx(1e-5) and records[-1]['lr'] == pytest.approx(5e-5)


def test_tensorboard_scalars_and_image_summary(reference):
    _, _, work_dir = reference
    tags, images = set(), []
    for name in os.listdir(os.path.join(work_dir, 'tf_logs')):
        for raw in tf.data.TFRecordDataset(os.path.join(work_dir, 'tf_logs', name)):
            event = event_pb2.Event.FromString(raw.numpy())
            for value in event.summary.value:
                tags.add(value.tag)
                if value.tag.startswith('train/frame'):
                    images.append((event.step, value))
    assert {'train/loss', 'train/lr', 'train/time', 'train/data_time'} <= tags
    # image_interval=4: a [1, 64, 5 * 96, 3] panel at iterations 4 and 8
    assert sorted(step for step, _ in images) == [4, 8]
    image = tf.io.decode_png(tf.make_ndarray(images[0][1].tensor)[2])
    assert image.shape == (64, 5 * 96, 3)


def test_hook_order_and_user_hook(reference):
    _, _, work_dir = reference
    log = text_log(work_dir)
    order = log[log.index('Hooks will be executed in the following order:'):]
    after_iter = order.split('after_train_iter:\n')[1].split(':\n')[0]  # up to the next point
    names = [line.split(')')[1].strip() for line in after_iter.split('\n')
             if line.startswith('  (')]
    assert names == ['NanGuardHook', 'RecordingHook', 'CheckpointHook', 'IterTimerHook',
                     'LoggerHook']
    assert '(30 ) RecordingHook' in order  # the config's priority='HIGH' overrides 'LOW'
    with open(os.path.join(work_dir, 'recording_hook.txt')) as f:
        assert f.read().split() == [str(i) for i in range(1, 9)]


def _wait_for_checkpoint(process, work_dir, at_least, timeout=300):
    """Poll ``last_checkpoint`` until it names ``iter_<n>`` with n >= ``at_least``."""
    pointer = os.path.join(work_dir, 'last_checkpoint')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, 'the training run ended before it could be killed'
        if os.path.isfile(pointer):
            with open(pointer) as f:
                name = f.read().strip()
            if name and int(name.split('_')[1]) >= at_least:
                return
        time.sleep(0.02)
    pytest.fail(f'no checkpoint >= {at_least} in {work_dir} after {timeout}s')


def test_resume_after_sigkill_is_bit_exact(reference, run_subprocess, start_subprocess):
    folder, config, reference_dir = reference
    work_dir = str(folder / 'killed')
    process = start_subprocess(train_args(config, work_dir, '--deterministic', '--cfg-options',
                                          'runner.max_iters=1000'), extra_paths=[folder])
    _wait_for_checkpoint(process, work_dir, at_least=4)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    killed_at = max(losses_by_iter(work_dir))

    run_subprocess(train_args(config, work_dir, '--deterministic', '--resume',
                              '--cfg-options', 'runner.max_iters=8'), extra_paths=[folder])
    log = text_log(work_dir)
    resumed_at = int(log.split('resumed from ')[1].split('at iteration ')[1].split()[0])
    assert 4 <= resumed_at <= killed_at
    expected = losses_by_iter(reference_dir)
    resumed = {r['iter']: r for r in read_json_log(work_dir)[killed_at:]}
    assert sorted(resumed) == list(range(resumed_at + 1, 9))
    for iteration, record in resumed.items():
        assert record['loss'] == expected[iteration], iteration  # bit for bit
        assert record['lr'] == losses_by_iter(reference_dir, 'lr')[iteration]


@pytest.mark.skipif(not cpu_has_fast_bf16(), reason='--amp computes in bfloat16 only on CPUs '
                    'with native bf16 (AVX512_BF16 or AMX_BF16); this CPU has neither')
def test_bf16_amp_tracks_float32(reference, run_subprocess):
    """``--amp`` on a CPU with native bf16 (AVX512_BF16/AMX) computes in bfloat16 with float32
    variables.

    Tolerances: iteration 1 (same weights, only the compute precision differs) 0.5%: bf16 keeps
    8 significant bits (rounding 2^-9 ~ 0.2% per value) and the loss sums 12288 pixels of logits
    from ~20 bf16 layers, where errors partly average out (~0.05% observed). Iterations 2-4: 5%,
    because each Adam step moves every weight by about the LR whatever its gradient's size, so
    bf16 rounding of tiny gradients adds divergence (0.6-2.5% observed), while this untrained
    run's own loss changes by 50-200% from one iteration to the next. A broken dtype path (loss
    not in float32, overflow, a wrong cast) is off by far more or non-finite.
    """
    folder, config, reference_dir = reference
    work_dir = str(folder / 'bf16')
    run_subprocess(train_args(config, work_dir, '--deterministic', '--amp', '--cfg-options',
                              'runner.max_iters=4'), extra_paths=[folder])
    assert 'compute dtype bfloat16, variables float32' in text_log(work_dir)
    expected = losses_by_iter(reference_dir)
    got = losses_by_iter(work_dir)
    assert sorted(got) == [1, 2, 3, 4]
    for iteration, loss in got.items():
        tolerance = 0.005 if iteration == 1 else 0.05
        assert loss == pytest.approx(expected[iteration], rel=tolerance), (got, expected)
    assert all(got[i] != expected[i] for i in (2, 3, 4))  # it really ran in another precision
    reader = tf.train.load_checkpoint(os.path.join(work_dir, 'iter_4'))
    dtypes = reader.get_variable_to_dtype_map()
    model_dtypes = {dtypes[k] for k in dtypes if k.startswith('model/') and dtypes[k].is_floating}
    assert model_dtypes == {tf.float32}
