"""A non-finite loss: float32 stops with one clear line and writes nothing after the last good
checkpoint (a real run with a NaN loss registered from a user file); float16 with dynamic loss
scaling skips the step and goes on (on a float16 stand-in: float16 kernels are emulated on
CPUs, and one tiny-model iteration takes tens of seconds)."""
import logging
import os
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.runner.hooks.nan_guard import NanGuardHook
from osmnseg.runner.train_step import TrainStep
from osmnseg.utils.errors import TrainingError
from runner_utils import build_tiny_runner, read_json_log, text_log, train_args, write_config
from standin import INITIAL_W, StandIn, batches

NAN_LOSS = '''
import tensorflow as tf

from osmnseg.models.losses.class_balanced_bce import ClassBalancedBCE
from osmnseg.registry import LOSSES


@LOSSES.register_module()
class NaNAtCall(ClassBalancedBCE):
    """The class-balanced BCE, times NaN at the ``nan_at``-th call (NaN loss and gradients)."""

    def __init__(self, nan_at=3, **kwargs):
        super().__init__(**kwargs)
        self.nan_at = nan_at
        self.calls = tf.Variable(0, trainable=False, name='calls')

    def __call__(self, logits, label):
        calls = self.calls.assign_add(1)
        factor = tf.where(tf.equal(calls, self.nan_at), float('nan'), 1.0)
        return super().__call__(logits, label) * factor
'''
CONFIG = """
custom_imports = dict(imports=['nan_loss'])
model = dict(loss=dict(type='NaNAtCall', nan_at=3))
runner = dict(max_iters=5)
"""


@pytest.fixture
def nan_config(tmp_path, tiny_toyvos):
    (tmp_path / 'nan_loss.py').write_text(NAN_LOSS)
    return lambda extra='': write_config(tmp_path, tiny_toyvos, CONFIG + extra)


def test_float32_stops_without_saving(tmp_path, nan_config, run_subprocess):
    work_dir = str(tmp_path / 'work_dir')
    result = run_subprocess(train_args(nan_config(), work_dir), extra_paths=[tmp_path],
                            check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert len(errors) == 1 and errors[0].startswith('error: the loss is nan at iteration 3')
    assert errors[0].endswith(f'resume from the last checkpoint in {work_dir}.')
    # the checkpoint of iteration 2 is the last one; nothing was written after it
    assert sorted(n for n in os.listdir(work_dir) if n.startswith('iter_')) == [
        'iter_2.data-00000-of-00001', 'iter_2.index', 'iter_2.json']
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == 'iter_2\n'
    assert [r['iter'] for r in read_json_log(work_dir)] == [1, 2]
    assert 'ERROR - the loss is nan at iteration 3' in text_log(work_dir)


class Float16StandIn(StandIn):
    """The stand-in computing in float16; its loss is NaN at the ``nan_at``-th call."""

    def __init__(self, nan_at):
        super().__init__()
        self.nan_at = nan_at
        self.calls = tf.Variable(0, trainable=False)

    def __call__(self, batch, training=False):
        return tf.linalg.matvec(tf.cast(batch['image'], tf.float16), tf.cast(self.w, tf.float16))

    def loss(self, logits, label):
        calls = self.calls.assign_add(1)
        factor = tf.where(tf.equal(calls, self.nan_at), float('nan'), 1.0)
        return tf.reduce_sum((tf.cast(logits, tf.float32) - label) ** 2) * factor


def test_float16_dynamic_loss_scaling_skips_the_step():
    """float16 compute + Keras' LossScaleOptimizer in the train step: the NaN iteration leaves
    the weights alone and halves the scale; the other iterations update."""
    model = Float16StandIn(nan_at=2)
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01),
                                                    initial_scale=16.0)
    optimizer.build(model.trainable_variables)
    step = TrainStep(model, optimizer, tf.distribute.get_strategy())
    weights, losses = [], []
    for iteration, batch in enumerate(batches(3), start=1):
        losses.append(float(step(batch, iteration)['loss']))
        weights.append(model.w.numpy().copy())
    assert np.isfinite(losses[0]) and np.isnan(losses[1]) and np.isfinite(losses[2])
    assert not np.array_equal(weights[0], INITIAL_W)
    np.testing.assert_array_equal(weights[1], weights[0])  # skipped
    assert not np.array_equal(weights[2], weights[1])
    assert float(optimizer.dynamic_scale.numpy()) == 8.0
    assert model.w.dtype == tf.float32


def _guard_runner(optimizer, loss, iteration=3):
    logger = logging.getLogger('osmnseg.test_nan_guard')
    return types.SimpleNamespace(outputs=dict(loss=loss, loss_main=loss, loss_reg=0.1),
                                 optimizer=optimizer, iter=iteration, logger=logger,
                                 work_dir='work_dirs/x')


def test_guard_skips_under_loss_scaling_until_max_skipped():
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01))
    hook = NanGuardHook(max_skipped=2)
    hook.after_train_iter(_guard_runner(optimizer, float('inf')))
    hook.after_train_iter(_guard_runner(optimizer, 1.0))  # a finite step resets the count
    hook.after_train_iter(_guard_runner(optimizer, float('nan')))
    with pytest.raises(TrainingError, match='for 2 consecutive iterations'):
        hook.after_train_iter(_guard_runner(optimizer, float('nan'), 4))


def test_guard_stops_at_once_without_loss_scaling():
    with pytest.raises(TrainingError, match=r'^the loss is inf at iteration 3 \(main inf'):
        NanGuardHook().after_train_iter(_guard_runner(keras.optimizers.SGD(0.01), float('inf')))


def test_mixed_precision_hook_sets_dtype_and_loss_scaling(tmp_path, tiny_toyvos):
    extra = "custom_hooks = [dict(type='MixedPrecisionHook', dtype='float16')]\n"
    runner = build_tiny_runner(write_config(tmp_path, tiny_toyvos, extra), tmp_path / 'fp16')
    runner.prepare()
    assert isinstance(runner.optimizer, keras.optimizers.LossScaleOptimizer)
    assert runner.train_step.loss_scaled and runner.model.compute_dtype == tf.float16
    assert {v.dtype for v in runner.model.trainable_variables} == {tf.float32}
    # 'auto' on this CPU (avx512_bf16 / AMX): bfloat16 without loss scaling
    extra = "custom_hooks = [dict(type='MixedPrecisionHook')]\n"
    runner = build_tiny_runner(write_config(tmp_path, tiny_toyvos, extra), tmp_path / 'auto')
    runner.prepare()
    expected = tf.bfloat16 if runner.device.fast_bf16 else tf.float32
    assert runner.model.compute_dtype == expected
    assert not isinstance(runner.optimizer, keras.optimizers.LossScaleOptimizer)
