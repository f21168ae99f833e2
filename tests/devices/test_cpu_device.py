"""CPU device: strategy, bf16 detection, precisions, options after TF initialisation."""
import textwrap

import pytest
import tensorflow as tf

from osmnseg.devices import CPU, build_device
from osmnseg.devices import cpu as cpu_module
from osmnseg.utils.errors import BuildError, ConfigError

def test_strategy_runs_a_tf_function():
    device = CPU().setup()
    strategy = device.strategy()
    assert isinstance(strategy, tf.distribute.OneDeviceStrategy)
    assert strategy.num_replicas_in_sync == 1

    @tf.function
    def scaled_sum(x):
        return tf.reduce_sum(x) * 2.0

    result = strategy.run(scaled_sum, args=(tf.constant([1.0, 2.0, 3.0]),))
    assert float(result) == 12.0
    assert 'CPU:0' in result.device

def test_setup_and_strategy_are_idempotent():
    device = CPU()
    assert device.setup() is device.setup()
    assert device.strategy() is device.strategy()
    assert device.xla_kernels  # the fused modulation kernel runs

def test_options_after_tf_initialisation_are_logged_not_raised(device_log):
    tf.constant(1.0) + 1.0  # make sure the runtime is initialised
    tf.config.list_logical_devices('CPU')
    CPU(intra_op_threads=1, inter_op_threads=1).setup()
    warnings = [m for m in device_log if m.startswith('WARNING')]
    assert len(warnings) == 2
    assert 'intra_op_threads=1 was not applied' in warnings[0]
    assert 'already initialised' in warnings[0]
    assert 'inter_op_threads=1 was not applied' in warnings[1]

@pytest.mark.parametrize('fast, precision', [(True, 'bfloat16'), (False, 'float32')])
def test_default_precision_follows_bf16_support(monkeypatch, fast, precision):
    monkeypatch.setattr(cpu_module, 'cpu_has_fast_bf16', lambda: fast)
    device = CPU()
    assert device.fast_bf16 is fast
    assert device.default_precision('inference') == 'float32'  # until bf16 masks agree
    assert device.default_precision('train') == precision
    assert device.supported_precisions == ('float32', 'bfloat16', 'float16')

def test_default_precision_rejects_unknown_mode():
    with pytest.raises(ConfigError, match="precision mode must be one of"):
        CPU().default_precision('eval')

def test_invalid_option_is_a_build_error_naming_the_key():
    with pytest.raises(BuildError, match='device.num_logical_devices must be a positive integer'):
        build_device(dict(type='CPU', num_logical_devices=0))

def test_logical_device_split_trains_with_mirrored_strategy(run_subprocess):
    """TF can be split into logical devices only before it initialises: a fresh process."""
    script = textwrap.dedent("""
        import logging
        import tensorflow as tf
        from osmnseg.devices import build_device
        from osmnseg.utils.logging import get_logger

        device = build_device('cpu', num_logical_devices=2).setup()
        strategy = device.strategy()
        assert isinstance(strategy, tf.distribute.MirroredStrategy), strategy
        assert strategy.num_replicas_in_sync == 2

        @tf.function
        def replica_value():
            ctx = tf.distribute.get_replica_context()
            return tf.cast(ctx.replica_id_in_sync_group, tf.float32) + 1.0

        per_replica = strategy.run(replica_value)
        total = strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)
        assert float(total) == 3.0, total  # replicas 0 and 1 each contributed

        # A second split is impossible now: logged, and the existing two devices are used.
        messages = []
        handler = logging.Handler()
        handler.emit = lambda record: messages.append(record.getMessage())
        get_logger().addHandler(handler)
        late = build_device('cpu', num_logical_devices=3)
        assert late.strategy().num_replicas_in_sync == 2
        assert any('num_logical_devices=3 was not applied' in m for m in messages), messages
        assert any('training on 2' in m for m in messages), messages
        print('SPLIT OK')
        """)
    result = run_subprocess(['python', '-c', script], timeout=120)
    assert 'SPLIT OK' in result.stdout
