"""The device contract: configure TensorFlow for one kind of hardware and give the strategy.

A device is built from the config entry ``device=dict(type='CPU'|'GPU'|'NPU', ...)`` (or from
``--device``) and used in this order, before any model or tensor exists:

    >>> device = build_device('cpu')
    >>> device.setup()                        # threads / visible devices / adapter options
    >>> with device.strategy().scope():       # tf.distribute.Strategy to train under
    ...     model = build_segmentor(cfg.model)
    >>> model.set_compute_dtype(device.default_precision('train'))
"""
import abc

from osmnseg.utils.errors import ConfigError
from osmnseg.utils.logging import get_logger
from osmnseg.utils.precision import PRECISIONS

MODES = ('inference', 'train')


class Device(abc.ABC):
    """Base class of the DEVICES registry entries.

    ``setup()`` runs once (later calls do nothing) and tolerates a TensorFlow runtime that is
    already initialised: options that can no longer change are logged as warnings instead.
    """

    def __init__(self):
        self.logger = get_logger()
        self._is_setup = False
        self._strategy = None

    def setup(self):
        """Configure TensorFlow for this device (once); returns ``self``."""
        if not self._is_setup:
            self._setup()
            self._is_setup = True
        return self

    @property
    def xla_kernels(self):
        """Whether small XLA-compiled kernels run here (the fused modulation of inference;
        ``model.prepare_for_inference(dtype, xla_kernels=device.xla_kernels)``)."""
        return True

    def strategy(self):
        """The ``tf.distribute.Strategy`` to build and train the model under (after ``setup``)."""
        if self._strategy is None:
            self.setup()
            self._strategy = self._make_strategy()
        return self._strategy

    def default_precision(self, mode):
        """The compute dtype recommended here for ``mode`` (``'inference'`` or ``'train'``):
        the dtype of ``MixedPrecisionHook(dtype='auto')``; variables always stay float32."""
        if mode not in MODES:
            raise ConfigError(f"precision mode must be one of {MODES}, got {mode!r}.")
        return self._default_precision(mode)

    def default_loss_scale(self, dtype):
        """``'dynamic'`` where training with compute ``dtype`` needs loss scaling here (float16's
        narrow range), else None: the loss scale of ``MixedPrecisionHook(loss_scale='auto')``."""
        return 'dynamic' if dtype == 'float16' else None

    @property
    def dynamic_shapes(self):
        """Whether step functions should be traced once for unknown image height/width
        (``tf.function(reduce_retracing=True)``) rather than once per input shape."""
        return False

    @property
    def supported_precisions(self):
        """Compute dtypes (a subset of ``PRECISIONS``) the model may use on this device:
        float32 and float16, and bfloat16 where the hardware computes it natively."""
        return PRECISIONS if self.fast_bf16 else ('float32', 'float16')

    @property
    @abc.abstractmethod
    def fast_bf16(self):
        """Whether bfloat16 arithmetic has hardware support here (worth using, not emulated)."""

    @abc.abstractmethod
    def _setup(self):
        """Apply the device options to TensorFlow (called once by ``setup``)."""

    @abc.abstractmethod
    def _make_strategy(self):
        """Create the strategy (called once by ``strategy``, after ``setup``)."""

    @abc.abstractmethod
    def _default_precision(self, mode):
        """The recommended compute dtype for a validated ``mode``."""

    def apply_runtime_option(self, what, fn, *args):
        """Call a ``tf.config`` setter; if TF is already initialised, log a warning instead.

        Returns:
            True if the option was applied.
        """
        try:
            fn(*args)
        except RuntimeError as err:
            self.logger.warning(f'{type(self).__name__}: {what} was not applied because the '
                                f'TensorFlow runtime is already initialised ({err}); set up the '
                                f'device before creating any tensor or model.')
            return False
        return True

    def __repr__(self):
        options = ', '.join(f'{k}={v!r}' for k, v in self.options().items())
        return f'{type(self).__name__}({options})'

    def options(self):
        """The constructor options of this device as a dict (for logs and ``repr``)."""
        return {}


def check_positive_int(value, key, allow_none=True):
    """Validate the config value ``device.<key>`` as a positive int (or None)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f'device.{key} must be a positive integer'
                          f'{" or None" if allow_none else ""}, got {value!r}.')
