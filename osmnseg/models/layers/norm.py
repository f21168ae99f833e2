"""Batch normalisation with slim semantics, and the conv -> BN -> activation block."""
import tensorflow as tf

from osmnseg.models.layers.activations import activate
from osmnseg.models.layers.base import Module


class BatchNorm(Module):
    """Batch norm over N, H, W with in-place moving-statistic updates (slim / TF1 fused BN).

    Variables (slim names): ``beta`` and ``gamma`` (trainable), ``moving_mean`` and
    ``moving_variance`` (not trainable). Statistics and normalisation are computed in float32
    whatever the input dtype; the result is cast back to the input dtype.

    Args:
        channels: number of channels C.
        momentum: moving-average decay (TF1 ``decay``): ``m <- m*momentum + batch*(1-momentum)``.
        epsilon: variance epsilon.
        trainable: whether ``beta``/``gamma`` are trained.
        scope: ``'BatchNorm'`` as in slim.

    Call: ``bn(x [B,H,W,C], training)``. ``training=True`` normalises with the batch statistics
    and assigns the moving statistics during the call (the moving variance gets the unbiased,
    Bessel-corrected batch variance, as TF's fused kernel does); ``training=False`` normalises
    with the moving statistics and leaves them unchanged (this is the original ``fix_bn`` mode
    when used while training: gamma/beta still receive gradients).
    """

    def __init__(self, channels, momentum, epsilon=1e-3, trainable=True, scope='BatchNorm'):
        super().__init__(scope)
        self.momentum = momentum
        self.epsilon = epsilon
        self.beta = tf.Variable(tf.zeros([channels]), trainable=trainable, name='beta')
        self.gamma = tf.Variable(tf.ones([channels]), trainable=trainable, name='gamma')
        stat = dict(trainable=False, synchronization=tf.VariableSynchronization.ON_READ,
                    aggregation=tf.VariableAggregation.MEAN)
        self.moving_mean = tf.Variable(tf.zeros([channels]), name='moving_mean', **stat)
        self.moving_variance = tf.Variable(tf.ones([channels]), name='moving_variance', **stat)

    def own_variables(self):
        return {'beta': self.beta, 'gamma': self.gamma, 'moving_mean': self.moving_mean,
                'moving_variance': self.moving_variance}

    def __call__(self, x, training=False):
        if training:
            return self._train(x)
        y = tf.nn.batch_normalization(tf.cast(x, tf.float32), self.moving_mean,
                                      self.moving_variance, self.beta, self.gamma, self.epsilon)
        return tf.cast(y, x.dtype)

    def _train(self, x):
        """Normalise with the batch statistics in one fused kernel (``FusedBatchNormV3``, the op
        slim's ``batch_norm(fused=True)`` runs; oneDNN on CPU, cuDNN on GPU): statistics in
        float32, output in ``x``'s dtype, and a fused gradient instead of the dozen element-wise
        ops and reductions of ``moments`` + ``batch_normalization`` (2x faster lite training).
        The kernel returns the Bessel-corrected variance, which the moving variance averages."""
        empty = tf.constant([], tf.float32)
        y, mean, unbiased, *_ = tf.raw_ops.FusedBatchNormV3(
            x=x, scale=self.gamma, offset=self.beta, mean=empty, variance=empty,
            epsilon=self.epsilon, exponential_avg_factor=1.0, data_format='NHWC',
            is_training=True)
        decay = 1.0 - self.momentum
        self.moving_mean.assign_sub((self.moving_mean - tf.stop_gradient(mean)) * decay)
        self.moving_variance.assign_sub(
            (self.moving_variance - tf.stop_gradient(unbiased)) * decay)
        return y

    def inference_affine(self):
        """``(scale, offset)`` float32 ``[C]`` with ``BN(x) == x * scale + offset`` in inference
        mode: ``scale = gamma / sqrt(moving_variance + eps)``, ``offset = beta - moving_mean *
        scale`` (differentiable in gamma and beta)."""
        scale = self.gamma * tf.math.rsqrt(self.moving_variance + self.epsilon)
        return scale, self.beta - self.moving_mean * scale


class ConvBN(Module):
    """``activation(BN(conv(x)))`` with slim naming: ``<scope>/weights``, ``<scope>/BatchNorm/*``.

    Args:
        scope: layer path, e.g. ``'conv3'`` or ``'Conv2d_1_depthwise'``.
        conv: a bias-free ``Conv2D`` or ``DepthwiseConv2D`` built with ``scope=''``.
        channels: output channels of ``conv``.
        momentum, epsilon: batch-norm parameters.
        activation: ``'relu'``, ``'relu6'`` or ``None``.
        trainable: whether ``beta``/``gamma`` are trained.

    Call: ``block(x, training)``; ``training`` is the batch-norm mode. In inference mode the
    batch norm is folded into the convolution (kernel scaled per output channel, plus a bias), so
    the block is one convolution with a fused bias and activation in the compute dtype instead of
    a convolution followed by a float32 normalisation and two casts (3x faster for the lite
    variant in bfloat16; the same function up to rounding). An :meth:`inference_copy` holds the
    folded weights as constants of its compute dtype instead of folding and casting them on
    every call.
    """

    def __init__(self, scope, conv, channels, momentum, epsilon=1e-3, activation='relu',
                 trainable=True):
        super().__init__(scope)
        self.conv = conv
        self.bn = BatchNorm(channels, momentum, epsilon, trainable=trainable)
        self.activation = activation
        self.folded = None  # (kernel, bias) constants of an inference copy

    def freeze(self, dtype, xla_kernels):
        """Hold the folded inference weights as ``dtype`` constants."""
        self.folded = tuple(tf.cast(value, dtype) for value in self.inference_weights())

    def __call__(self, x, training=False):
        if training:
            return self._train(x)
        kernel, bias = self.folded or self.inference_weights()
        return self.conv.apply(x, tf.cast(kernel, x.dtype), tf.cast(bias, x.dtype),
                               self.activation)

    def inference_weights(self):
        """``(kernel, bias)`` float32 of the conv with the inference-mode batch norm folded in:
        ``activation(conv.apply(x, kernel, bias))`` is this block in inference mode."""
        scale, offset = self.bn.inference_affine()
        return self.conv.scaled_kernel(scale), offset

    def _train(self, x):
        """conv -> batch statistics -> activation, pointwise convs as matrix products. In
        bfloat16 a depthwise block runs in float32 (cast in and out): TF's bfloat16 depthwise
        gradients and element-wise ops on CPU are 2-5x slower than their float32 versions,
        and the block is memory-bound, so float32 is faster (lite bf16 training 753 -> 656 ms
        per batch-4 416x416 step); the output keeps the input's dtype."""
        dtype = x.dtype
        if self.conv.depthwise and dtype == tf.bfloat16:
            x = tf.cast(x, tf.float32)
        y = self.conv.apply(x, tf.cast(self.conv.kernel, x.dtype), pointwise_matmul=True)
        return tf.cast(activate(self.bn(y, training=True), self.activation), dtype)
