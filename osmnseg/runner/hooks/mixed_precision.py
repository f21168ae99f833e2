"""MixedPrecisionHook: the compute dtype and loss scaling of a run, as the device says.

Variables always stay float32; only the compute dtype of the model changes. With
``dtype='auto'`` the hook asks ``device.default_precision('train')``, with ``loss_scale='auto'``
``device.default_loss_scale(dtype)``; the devices document their choices (docs/devices.md):

| device | dtype='auto' | loss scaling |
|---|---|---|
| CPU with fast bf16 (avx512_bf16 / AMX) | bfloat16 | not needed (bf16 has float32's range) |
| CPU without | float32 (bf16 would be emulated, slower) | — |
| GPU, compute capability >= 7.0 | float16 | Keras ``LossScaleOptimizer`` (dynamic) |
| GPU below 7.0 | float32 | — |
| NPU | float32 graph, the adapter's ``allow_mix_precision`` casts suitable ops to float16 | Keras ``LossScaleOptimizer`` (the Ascend port had none) |
"""
import keras

from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook
from osmnseg.utils.errors import ConfigError
from osmnseg.utils.precision import PRECISIONS

_DTYPES = ('auto',) + PRECISIONS


@HOOKS.register_module()
class MixedPrecisionHook(Hook):
    """Set the model's compute dtype and wrap the optimizer for loss scaling before training.

    Args:
        dtype: 'auto' (the device's training precision) or one of ``PRECISIONS``.
        loss_scale: 'dynamic', a fixed float, or None; 'auto' means dynamic for float16 and
            for the NPU, none otherwise.
        initial_scale: initial dynamic loss scale.
        growth_steps: finite steps before the dynamic scale doubles.
    """

    priority = 'VERY_HIGH'

    def __init__(self, dtype='auto', loss_scale='auto', initial_scale=2.0 ** 15, growth_steps=2000):
        if dtype not in _DTYPES:
            raise ConfigError(f"MixedPrecisionHook.dtype must be one of {_DTYPES}, got {dtype!r}")
        self.dtype = dtype
        self.loss_scale = loss_scale
        self.initial_scale = float(initial_scale)
        self.growth_steps = int(growth_steps)

    def resolve(self, device):
        """(compute dtype for the model, loss scale setting) on ``device``."""
        dtype = device.default_precision('train') if self.dtype == 'auto' else self.dtype
        supported = device.supported_precisions
        if dtype not in supported:
            raise ConfigError(f"MixedPrecisionHook.dtype '{dtype}' is not supported on "
                              f"{device!r} (supported: {', '.join(supported)})")
        loss_scale = self.loss_scale
        if loss_scale == 'auto':
            loss_scale = device.default_loss_scale(dtype)
        return dtype, loss_scale

    def before_run(self, runner):
        dtype, loss_scale = self.resolve(runner.device)
        runner.model.set_compute_dtype(dtype)
        if loss_scale is not None and not isinstance(runner.optimizer,
                                                     keras.optimizers.LossScaleOptimizer):
            dynamic = loss_scale == 'dynamic'
            with runner.strategy.scope():
                runner.optimizer = keras.optimizers.LossScaleOptimizer(
                    runner.optimizer,
                    initial_scale=self.initial_scale if dynamic else float(loss_scale),
                    dynamic_growth_steps=self.growth_steps if dynamic else 2 ** 31 - 1)
        runner.logger.info(f'mixed precision: compute dtype {dtype}, variables float32, '
                           f'loss scaling {loss_scale or "off"}')
