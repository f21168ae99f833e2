"""The CPU device: thread pools, optional split into logical devices, bf16 detection."""
import tensorflow as tf

from osmnseg.devices.base import Device, check_positive_int
from osmnseg.registry import DEVICES
from osmnseg.utils.machine import cpu_has_fast_bf16
from osmnseg.utils.precision import PRECISIONS


@DEVICES.register_module(name=['CPU', 'cpu'])
class CPU(Device):
    """Run on the host CPU.

    Args:
        intra_op_threads: threads used inside one op (e.g. a convolution); None = TF default
            (all cores).
        inter_op_threads: ops run concurrently; None = TF default.
        num_logical_devices: >1 splits the CPU into that many logical devices and trains with
            ``MirroredStrategy`` over them: distributed training (per-replica batches, gradient
            all-reduce) without accelerators, e.g. to test it. Must be set before TF initialises.
    """

    def __init__(self, intra_op_threads=None, inter_op_threads=None, num_logical_devices=1):
        super().__init__()
        check_positive_int(intra_op_threads, 'intra_op_threads')
        check_positive_int(inter_op_threads, 'inter_op_threads')
        check_positive_int(num_logical_devices, 'num_logical_devices', allow_none=False)
        self.intra_op_threads = intra_op_threads
        self.inter_op_threads = inter_op_threads
        self.num_logical_devices = num_logical_devices

    def options(self):
        return dict(intra_op_threads=self.intra_op_threads,
                    inter_op_threads=self.inter_op_threads,
                    num_logical_devices=self.num_logical_devices)

    def _setup(self):
        if self.intra_op_threads is not None:
            self.apply_runtime_option(f'intra_op_threads={self.intra_op_threads}',
                                      tf.config.threading.set_intra_op_parallelism_threads,
                                      self.intra_op_threads)
        if self.inter_op_threads is not None:
            self.apply_runtime_option(f'inter_op_threads={self.inter_op_threads}',
                                      tf.config.threading.set_inter_op_parallelism_threads,
                                      self.inter_op_threads)
        if self.num_logical_devices > 1:
            cpu = tf.config.list_physical_devices('CPU')[0]
            layout = [tf.config.LogicalDeviceConfiguration()] * self.num_logical_devices
            self.apply_runtime_option(f'num_logical_devices={self.num_logical_devices}',
                                      tf.config.set_logical_device_configuration, cpu, layout)

    def _make_strategy(self):
        if self.num_logical_devices == 1:
            return tf.distribute.OneDeviceStrategy('/cpu:0')
        names = [d.name for d in tf.config.list_logical_devices('CPU')]
        if len(names) < self.num_logical_devices:
            self.logger.warning(f'CPU: {self.num_logical_devices} logical devices were requested '
                                f'but TensorFlow has {len(names)}; training on {len(names)}.')
        if len(names) == 1:
            return tf.distribute.OneDeviceStrategy('/cpu:0')
        return tf.distribute.MirroredStrategy(names[:self.num_logical_devices])

    @property
    def supported_precisions(self):
        # Every dtype runs on any CPU (oneDNN emulates what the hardware lacks, slowly).
        return PRECISIONS

    @property
    def fast_bf16(self):
        return cpu_has_fast_bf16()

    def _default_precision(self, mode):
        # Training: native bf16 (AVX512_BF16 / AMX) outruns fp32 and, with fp32 variables,
        # needs no loss scaling; emulated bf16 is slower than fp32. Inference stays float32
        # (bf16 one flag away, --dtype bfloat16) until bf16 masks agree with float32 ones to
        # J >= 0.98 on every frame: measured 62 % of the lite toy model's val frames, as many
        # as float32 with bf16-rounded weights (docs/benchmark.md, current figures).
        if mode == 'inference':
            return 'float32'
        return 'bfloat16' if self.fast_bf16 else 'float32'
