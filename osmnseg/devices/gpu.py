"""The NVIDIA GPU device: visible GPUs, memory growth, one- or multi-GPU strategy."""
import tensorflow as tf

from osmnseg.devices.base import Device
from osmnseg.registry import DEVICES
from osmnseg.utils.errors import ConfigError, DeviceError

NO_GPU_MESSAGE = ("No GPU is visible to TensorFlow (CPU-only TensorFlow, no CUDA driver, or "
                  "CUDA_VISIBLE_DEVICES hides them); install the GPU build with "
                  "pip install -e \".[gpu]\" or run on the CPU with device=dict(type='CPU') in "
                  "the config / --device cpu.")


@DEVICES.register_module(name=['GPU', 'gpu'])
class GPU(Device):
    """Run on NVIDIA GPUs through CUDA.

    Args:
        ids: physical GPU indices to use (int or list); None = all visible GPUs. One GPU trains
            with ``OneDeviceStrategy``, several with ``MirroredStrategy`` (batch split across
            replicas, gradients all-reduced with NCCL).
        memory_growth: allocate GPU memory on demand instead of reserving it all at start.
    """

    def __init__(self, ids=None, memory_growth=True):
        super().__init__()
        if isinstance(ids, int) and not isinstance(ids, bool):
            ids = [ids]
        if ids is not None and not (isinstance(ids, (list, tuple)) and ids and all(
                isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids)):
            raise ConfigError(f'device.ids must be None, a GPU index or a non-empty list of GPU '
                              f'indices (--gpu-ids 0 1), got {ids!r}.')
        self.ids = None if ids is None else tuple(ids)
        self.memory_growth = bool(memory_growth)
        self._logical_names = None

    def options(self):
        return dict(ids=self.ids, memory_growth=self.memory_growth)

    def _selected_physical(self):
        """The physical GPUs this device uses; raises DeviceError if there are none or too few."""
        gpus = tf.config.list_physical_devices('GPU')
        if not gpus:
            raise DeviceError(NO_GPU_MESSAGE)
        if self.ids is None:
            return gpus
        missing = [i for i in self.ids if i >= len(gpus)]
        if missing:
            raise DeviceError(f'GPU ids {missing} were requested (device.ids / --gpu-ids) but '
                              f'only {len(gpus)} GPU(s) are visible, with ids 0..{len(gpus) - 1}.')
        return [gpus[i] for i in self.ids]

    def _setup(self):
        selected = self._selected_physical()
        if self.memory_growth:
            for gpu in selected:
                self.apply_runtime_option(f'memory_growth on {gpu.name}',
                                          tf.config.experimental.set_memory_growth, gpu, True)
        hidden = self.ids is not None and self.apply_runtime_option(
            f'ids={list(self.ids)}', tf.config.set_visible_devices, selected, 'GPU')
        # Logical GPUs are renumbered 0..n-1 once the others are hidden.
        indices = range(len(selected)) if hidden or self.ids is None else self.ids
        self._logical_names = [f'/gpu:{i}' for i in indices]

    def _make_strategy(self):
        if len(self._logical_names) == 1:
            return tf.distribute.OneDeviceStrategy(self._logical_names[0])
        return tf.distribute.MirroredStrategy(self._logical_names)

    def compute_capability(self):
        """The lowest CUDA compute capability among the selected GPUs, e.g. ``(8, 0)``."""
        capabilities = [tf.config.experimental.get_device_details(gpu).get(
            'compute_capability', (0, 0)) for gpu in self._selected_physical()]
        return min(capabilities)

    @property
    def fast_bf16(self):
        return self.compute_capability() >= (8, 0)  # Ampere and newer

    def _default_precision(self, mode):
        # float16 on tensor cores (Volta and newer), trained with a dynamic loss scale.
        return 'float16' if self.compute_capability() >= (7, 0) else 'float32'
