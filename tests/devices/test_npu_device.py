"""NPU device wiring, through a fake ``npu_device`` module (no Ascend hardware here).

The fake mirrors the parts of Ascend's TF2 adapter (Ascend/tensorflow,
tf_adapter_2.x/python/npu_device) that osmnseg uses: ``global_options()`` returns a config
singleton whose option names are fixed (an unknown name or a value outside the allowed list
raises ValueError), and ``open(device_id).as_default()`` opens the NPU.
"""
import sys
import types

import pytest
import tensorflow as tf

from osmnseg.devices import NPU, build_device
from osmnseg.devices.npu import ADAPTER_INSTALL_GUIDE
from osmnseg.utils.errors import BuildError, ConfigError, DeviceError

PRECISION_MODES = ['force_fp32', 'allow_fp32_to_fp16', 'force_fp16', 'must_keep_origin_dtype',
                   'allow_mix_precision', 'allow_mix_precision_bf16', 'allow_fp32_to_bf16']


class FakeConfig:
    """Like the adapter's NpuBaseConfig: fixed options, assignments appended to ``events``."""

    def __init__(self, events, prefix, options, children=None):
        self.__dict__.update(_events=events, _prefix=prefix, _options=options,
                             _values={k: default for k, (default, _) in options.items()})
        self.__dict__.update(children or {})

    def __getattr__(self, key):
        try:
            return self.__dict__['_values'][key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        if key not in self._options:
            raise ValueError(f'NpuConfig has no option {key}, all options {list(self._options)}')
        allowed = self._options[key][1]
        if allowed is not None and value not in allowed:
            raise ValueError(f"'{value}' not in optional list {allowed}")
        self._values[key] = value
        self._events.append(('set', self._prefix + key, value))


def make_fake_adapter(events, open_error=None):
    memory_config = FakeConfig(events, 'memory_config.', {'atomic_clean_policy': (1, [0, 1])})
    options = FakeConfig(events, '', {'precision_mode': (None, PRECISION_MODES),
                                      'deterministic': (0, [0, 1])},
                         children={'memory_config': memory_config})

    class Handle:

        def __init__(self, device_id):
            self.device_id = device_id

        def name(self):
            return f'/job:localhost/replica:0/task:0/device:NPU:{self.device_id}'

        def as_default(self):
            events.append(('as_default', self.device_id))
            return self

    def open_device(device_id=None):
        events.append(('open', device_id))
        if open_error is not None:
            raise open_error
        return Handle(device_id)

    module = types.ModuleType('npu_device')
    module.global_options = lambda: options
    module.open = open_device
    return module


@pytest.fixture
def events(monkeypatch):
    """Install a fake adapter as ``npu_device``; yields the list of calls it received."""
    calls = []
    monkeypatch.setitem(sys.modules, 'npu_device', make_fake_adapter(calls))
    yield calls
    tf.config.optimizer.set_experimental_options({'remapping': None})  # back to TF's default


def test_setup_sets_the_ascend_port_options_then_opens_the_npu(events):
    device = build_device(dict(type='NPU', device_id=3, deterministic=1,
                               **{'memory_config.atomic_clean_policy': 0}))
    device.setup()
    assert events == [('set', 'precision_mode', 'allow_mix_precision'),
                      ('set', 'deterministic', 1),
                      ('set', 'memory_config.atomic_clean_policy', 0),
                      ('open', 3),
                      ('as_default', 3)]
    assert tf.config.optimizer.get_experimental_options()['remapping'] is False
    assert device.handle.name().endswith('device:NPU:3')
    device.setup()
    assert len(events) == 5  # setup runs once
    # the models' fused XLA modulation kernel stays off: the adapter compiles graphs its way
    assert device.xla_kernels is False


def test_strategy_is_the_default_strategy_on_the_opened_npu(events):
    device = NPU()
    strategy = device.strategy()
    assert ('open', 0) in events and ('as_default', 0) in events
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1


def test_precisions_and_dynamic_shapes(events):
    device = NPU()
    assert device.dynamic_shapes is True
    assert NPU(dynamic_input=False).dynamic_shapes is False
    assert device.fast_bf16 is False
    assert device.supported_precisions == ('float32', 'float16')
    assert device.default_precision('train') == device.default_precision('inference') == 'float32'
    bf16 = NPU(precision_mode='allow_mix_precision_bf16')
    assert bf16.fast_bf16 is True and 'bfloat16' in bf16.supported_precisions


@pytest.mark.parametrize('options, key', [(dict(precision_mode='fp64'), 'precision_mode'),
                                          (dict(enable_magic=1), 'enable_magic'),
                                          ({'memory_config.nope': 1}, 'memory_config.nope')])
def test_rejected_adapter_options_name_the_key(events, options, key):
    with pytest.raises(ConfigError, match=f"device option '{key}=.*' was rejected by Ascend's "
                       r'npu_device.global_options\(\)') as info:
        NPU(**options).setup()
    assert isinstance(info.value.__cause__, (ValueError, AttributeError))
    assert not [e for e in events if e[0] == 'open']


def test_open_failure_is_a_device_error(monkeypatch):
    calls = []
    failure = RuntimeError('Failed open npu device 7 : no such device')
    monkeypatch.setitem(sys.modules, 'npu_device', make_fake_adapter(calls, failure))
    try:
        with pytest.raises(DeviceError, match='NPU 7 could not be opened') as info:
            NPU(device_id=7).setup()
    finally:
        tf.config.optimizer.set_experimental_options({'remapping': None})
    assert info.value.__cause__ is failure


def test_missing_adapter_is_one_sentence_with_the_install_guide(monkeypatch):
    monkeypatch.setitem(sys.modules, 'npu_device', None)  # makes `import npu_device` fail
    device = build_device('npu')  # the adapter is imported lazily, by setup()
    with pytest.raises(DeviceError) as info:
        device.setup()
    message = str(info.value)
    assert message.startswith("Huawei Ascend's TensorFlow 2 adapter (Python module 'npu_device') "
                              'is not installed')
    assert ADAPTER_INSTALL_GUIDE in message
    assert message.endswith('.')
    assert isinstance(info.value.__cause__, ImportError)


def test_only_lazy_recompile_exists_in_the_tf2_adapter():
    with pytest.raises(BuildError, match="device.dynamic_graph_execute_mode must be "
                       "'lazy_recompile'"):
        build_device(dict(type='NPU', dynamic_graph_execute_mode='dynamic_execute'))
