"""The Huawei Ascend NPU device, through Ascend's TensorFlow 2 adapter ``npu_device``.

The adapter (source: repository Ascend/tensorflow, ``tf_adapter_2.x/python/npu_device``) is
configured through a global singleton, ``npu_device.global_options()``, whose attributes must be
set before ``npu_device.open(device_id).as_default()`` makes the NPU the default device of
TensorFlow's eager context; from then on every op and ``tf.function`` runs there.

The defaults reproduce the session config of the original Ascend port of OSMN
(osmn_spec.md §11.2): ``precision_mode='allow_mix_precision'`` (the graph compiler casts suitable
ops to float16, keeps the rest in float32), dynamic input shapes recompiled lazily (training
batches come in three sizes), and Grappler's ``remapping`` pass off.
"""
import importlib

import tensorflow as tf

from osmnseg.devices.base import Device
from osmnseg.registry import DEVICES
from osmnseg.utils.errors import ConfigError, DeviceError
from osmnseg.utils.machine import NPU_ADAPTER_MODULE

ADAPTER_INSTALL_GUIDE = ('https://www.hiascend.com/document/detail/en/TensorFlowCommercial/850/'
                         'migration/tfmigr2/tfmigr2_000008.html')
# Grappler passes the Ascend port switched off (it also switched off memory_optimization,
# which TensorFlow 2 does not expose in tf.config.optimizer).
GRAPPLER_OPTIONS = {'remapping': False}
BF16_PRECISION_MODES = ('allow_mix_precision_bf16', 'allow_fp32_to_bf16')


def import_adapter():
    """Import Ascend's TensorFlow 2 adapter module, or explain how to install it."""
    try:
        return importlib.import_module(NPU_ADAPTER_MODULE)
    except ImportError as err:
        raise DeviceError(
            f"Huawei Ascend's TensorFlow 2 adapter (Python module '{NPU_ADAPTER_MODULE}') is not "
            f"installed, so device=dict(type='NPU') cannot run here; install the TF Adapter "
            f"package matching your CANN version as described in {ADAPTER_INSTALL_GUIDE} "
            f"(or use --device cpu / gpu).") from err


@DEVICES.register_module(name=['NPU', 'npu'])
class NPU(Device):
    """Run on one Huawei Ascend NPU.

    Args:
        device_id: the NPU to open (``ASCEND_DEVICE_ID`` of Ascend's scripts).
        precision_mode: the adapter's precision mode, e.g. ``'allow_mix_precision'`` (automatic
            float16 where safe), ``'allow_fp32_to_fp16'``, ``'force_fp32'``,
            ``'allow_mix_precision_bf16'`` (Ascend 910B).
        dynamic_input: True traces step functions once with unknown image height/width
            (``tf.function(reduce_retracing=True)``), so the three training scales share one
            function; False traces one static-shape function per scale.
        dynamic_graph_execute_mode: how the NPU runs a graph with unknown input dims. The TF2
            adapter compiles such a graph for each new concrete input shape when it first
            arrives and caches it, which is the TF1 adapter's ``'lazy_recompile'``, the only
            mode available; TF1's ``'dynamic_execute'`` (declared shape ranges) has no TF2
            counterpart.
        **adapter_options: further attributes of ``npu_device.global_options()``, by name;
            nested ones with dots, e.g. ``{'memory_config.atomic_clean_policy': 1}``.
    """

    def __init__(self, device_id=0, precision_mode='allow_mix_precision', dynamic_input=True,
                 dynamic_graph_execute_mode='lazy_recompile', **adapter_options):
        super().__init__()
        if isinstance(device_id, bool) or not isinstance(device_id, int) or device_id < 0:
            raise ConfigError(f'device.device_id must be a non-negative integer, got '
                              f'{device_id!r}.')
        if dynamic_graph_execute_mode != 'lazy_recompile':
            raise ConfigError(f"device.dynamic_graph_execute_mode must be 'lazy_recompile' (the "
                              f"only mode of Ascend's TensorFlow 2 adapter), got "
                              f"{dynamic_graph_execute_mode!r}.")
        self.device_id = device_id
        self.precision_mode = precision_mode
        self.dynamic_input = bool(dynamic_input)
        self.dynamic_graph_execute_mode = dynamic_graph_execute_mode
        self.adapter_options = dict(adapter_options)
        self.handle = None

    def options(self):
        return dict(device_id=self.device_id, precision_mode=self.precision_mode,
                    dynamic_input=self.dynamic_input,
                    dynamic_graph_execute_mode=self.dynamic_graph_execute_mode,
                    **self.adapter_options)

    @property
    def dynamic_shapes(self):
        return self.dynamic_input

    def _setup(self):
        adapter = import_adapter()
        global_options = adapter.global_options()
        _set_adapter_option(global_options, 'precision_mode', self.precision_mode)
        for key, value in self.adapter_options.items():
            _set_adapter_option(global_options, key, value)
        tf.config.optimizer.set_experimental_options(GRAPPLER_OPTIONS)
        try:
            self.handle = adapter.open(self.device_id).as_default()
        except RuntimeError as err:
            raise DeviceError(f'NPU {self.device_id} could not be opened ({err}); check '
                              f'device.device_id against npu-smi info and that the CANN '
                              f'environment (set_env.sh) is sourced.') from err
        self.logger.info(f'NPU: opened {self.handle.name()} with {self.options()}')

    def _make_strategy(self):
        # as_default() made the NPU the eager context's default device: the default strategy
        # places every op and variable there.
        return tf.distribute.get_strategy()

    @property
    def xla_kernels(self):
        """False: the adapter compiles whole graphs for the NPU; XLA functions stay off."""
        return False

    @property
    def fast_bf16(self):
        return self.precision_mode in BF16_PRECISION_MODES

    def _default_precision(self, mode):
        # The adapter's precision_mode already mixes precisions inside the compiled graph; a
        # float16 model on top of allow_mix_precision would only lose accuracy.
        return 'float32'

    def default_loss_scale(self, dtype):
        # The adapter computes float16 inside even a float32 graph (the Ascend port had no
        # loss scaling); a dynamic scale keeps small gradients.
        return 'dynamic'


def _set_adapter_option(global_options, key, value):
    """Set ``global_options.<key>`` (dotted for nested configs) as the adapter validates it."""
    *parents, name = key.split('.')
    target = global_options
    try:
        for parent in parents:
            target = getattr(target, parent)
        setattr(target, name, value)
    except (AttributeError, ValueError) as err:  # the adapter raises ValueError for both cases
        raise ConfigError(f"device option '{key}={value!r}' was rejected by Ascend's "
                          f"npu_device.global_options() ({err}); fix or remove it.") from err
