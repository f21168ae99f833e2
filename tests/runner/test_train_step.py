"""TrainStep numerics on a linear stand-in: plain steps, gradient accumulation, clipping, and
the same under MirroredStrategy over two logical CPUs (in a subprocess)."""
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.runner.train_step import TrainStep
from standin import INITIAL_W, StandIn, batches, gradient

LR = 0.05


def make_step(**options):
    model = StandIn()
    optimizer = keras.optimizers.SGD(LR)
    optimizer.build(model.trainable_variables)
    return model, TrainStep(model, optimizer, tf.distribute.get_strategy(), **options)


@pytest.mark.parametrize('eager', [False, True])
def test_plain_step_is_one_sgd_update(eager):
    model, step = make_step(eager=eager)
    batch = batches(1)[0]
    outputs = step(batch, 1)
    np.testing.assert_allclose(model.w.numpy(), INITIAL_W - LR * gradient(INITIAL_W, batch),
                               rtol=1e-5)
    expected_loss = np.sum((batch['image'] @ INITIAL_W - batch['label']) ** 2)
    np.testing.assert_allclose(float(outputs['loss']), expected_loss, rtol=1e-5)
    assert float(outputs['loss_reg']) == 0.0


def test_accumulation_applies_the_mean_gradient_every_n_iterations():
    model, step = make_step(accumulate=3)
    data = batches(6)
    weights = []
    for iteration, batch in enumerate(data, start=1):
        step(batch, iteration)
        weights.append(model.w.numpy().copy())
    # iterations 1, 2 only accumulate; 3 applies the mean of the three gradients
    np.testing.assert_array_equal(weights[0], INITIAL_W)
    np.testing.assert_array_equal(weights[1], INITIAL_W)
    mean = np.mean([gradient(INITIAL_W, b) for b in data[:3]], axis=0)
    np.testing.assert_allclose(weights[2], INITIAL_W - LR * mean, rtol=1e-5)
    # the accumulators were reset: iterations 4-6 use gradients at the new weights only
    np.testing.assert_array_equal(weights[3], weights[2])
    mean = np.mean([gradient(weights[2], b) for b in data[3:]], axis=0)
    np.testing.assert_allclose(weights[5], weights[2] - LR * mean, rtol=1e-5)
    assert step.optimizer.iterations.numpy() == 2


def test_clipping_limits_the_global_norm():
    model, step = make_step(max_grad_norm=0.1)
    batch = batches(1)[0]
    grad = gradient(INITIAL_W, batch)
    assert np.linalg.norm(grad) > 0.1
    step(batch, 1)
    np.testing.assert_allclose(model.w.numpy(),
                               INITIAL_W - LR * grad * 0.1 / np.linalg.norm(grad), rtol=1e-5)


def test_clipping_leaves_small_gradients_alone():
    model, step = make_step(max_grad_norm=1e6)
    batch = batches(1)[0]
    step(batch, 1)
    np.testing.assert_allclose(model.w.numpy(), INITIAL_W - LR * gradient(INITIAL_W, batch),
                               rtol=1e-5)


MIRRORED_SCRIPT = """
import json, sys
import numpy as np, tensorflow as tf, keras
cpu = tf.config.list_physical_devices('CPU')[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from osmnseg.runner.train_step import TrainStep
from standin import StandIn, batches

strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
results = {}
for name, options in [('plain', {}), ('accumulate', dict(accumulate=2)),
                      ('clip', dict(max_grad_norm=0.1))]:
    with strategy.scope():
        model = StandIn()
        optimizer = keras.optimizers.SGD(0.05)
        optimizer.build(model.trainable_variables)
    step = TrainStep(model, optimizer, strategy, **options)
    losses = []
    for iteration, batch in enumerate(batches(2), start=1):
        # replica r gets samples 2r, 2r+1 of the global batch of 4
        per_replica = strategy.experimental_distribute_values_from_function(
            lambda ctx: {k: v[2 * ctx.replica_id_in_sync_group:][:2] for k, v in batch.items()})
        losses.append(float(step(per_replica, iteration)['loss']))
    results[name] = dict(w=model.w.numpy().tolist(), losses=losses)
print('RESULT ' + json.dumps(results))
"""


def test_mirrored_strategy_averages_replica_gradients(tmp_path, run_subprocess):
    """Two replicas with half a batch each: the update uses the mean of the replicas'
    gradients (loss divided by the replica count, summed by the all-reduce); accumulation and
    clipping (of the all-reduced gradient) work there too."""
    script = tmp_path / 'mirrored.py'
    script.write_text(MIRRORED_SCRIPT)
    result = run_subprocess(['python', script], timeout=240,
                            extra_paths=[os.path.dirname(__file__)])
    line = next(x for x in result.stdout.splitlines() if x.startswith('RESULT '))
    results = json.loads(line[len('RESULT '):])

    def halves(batch):
        return [{k: v[:2] for k, v in batch.items()}, {k: v[2:] for k, v in batch.items()}]

    def replica_mean_gradient(w, batch):
        return np.mean([gradient(w, half) for half in halves(batch)], axis=0)

    def replica_mean_loss(w, batch):
        return np.mean([np.sum((h['image'] @ w - h['label']) ** 2) for h in halves(batch)])

    first, second = batches(2)
    w1 = INITIAL_W - LR * replica_mean_gradient(INITIAL_W, first)
    w2 = w1 - LR * replica_mean_gradient(w1, second)
    np.testing.assert_allclose(results['plain']['w'], w2, rtol=1e-5)
    np.testing.assert_allclose(results['plain']['losses'],
                               [replica_mean_loss(INITIAL_W, first), replica_mean_loss(w1, second)],
                               rtol=1e-5)
    mean = (replica_mean_gradient(INITIAL_W, first) + replica_mean_gradient(INITIAL_W, second)) / 2
    np.testing.assert_allclose(results['accumulate']['w'], INITIAL_W - LR * mean, rtol=1e-5)
    grad = replica_mean_gradient(INITIAL_W, first)
    clipped = INITIAL_W - LR * grad * min(1.0, 0.1 / np.linalg.norm(grad))
    assert np.linalg.norm(grad) > 0.1
    grad = replica_mean_gradient(clipped, second)
    clipped = clipped - LR * grad * min(1.0, 0.1 / np.linalg.norm(grad))
    np.testing.assert_allclose(results['clip']['w'], clipped, rtol=1e-5)
