"""Convolution layers: regular (optionally dilated / strided) and depthwise, NHWC, HWIO kernels.

Variables are float32; the op runs in the dtype of its input (kernels are cast at use), so the
compute dtype is whatever the segmentor feeds in.
"""
import numpy as np
import tensorflow as tf

from osmnseg.models.layers import initializers
from osmnseg.models.layers.activations import activate
from osmnseg.models.layers.base import Module


class Conv2D(Module):
    """2-D convolution with slim naming: kernel ``weights`` [k,k,Cin,Cout], bias ``biases`` [Cout].

    Args:
        scope: original layer path, e.g. ``'conv1/conv1_1'``.
        in_channels, out_channels: channel counts.
        kernel_size: square kernel size.
        stride, dilation: integers (TF does not combine both > 1; the OSMN nets never do).
        padding: ``'SAME'`` or ``'VALID'``.
        use_bias: create and add ``biases``.
        activation: ``None``, ``'relu'`` or ``'relu6'``.
        kernel_init, bias_init: ``init(shape) -> tensor`` factories (see ``initializers``).
        trainable: whether the optimiser updates the kernel and bias.
        regularize: whether the kernel carries the L2 penalty.
        parallel: in float32, run a spatial (k > 1) convolution as this many convolutions over
            slices of the output channels, concatenated. They are independent ops, which TF
            runs concurrently, and each slice's kernel is smaller: on the 2-core test machine
            a 512 -> 512 3x3 conv at 60x107 runs at 222 instead of 166 GFLOP/s with 2 slices
            (docs/benchmark.md). The same products and sums per output channel. bfloat16 and
            float16 convolutions are not split (no gain measured for bfloat16 on AMX).

    Call: ``x [B,H,W,Cin]`` (any float dtype) -> ``[B,H',W',Cout]`` in the same dtype.
    """

    depthwise = False

    def __init__(self, scope, in_channels, out_channels, kernel_size, stride=1, dilation=1,
                 padding='SAME', use_bias=True, activation=None,
                 kernel_init=initializers.normal(0.001), bias_init=initializers.zeros,
                 trainable=True, regularize=True, parallel=1):
        super().__init__(scope)
        self.parallel = max(1, min(int(parallel), out_channels))
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
        self.activation = activation
        self.regularize = regularize
        shape = [kernel_size, kernel_size, in_channels, out_channels]
        self.kernel = tf.Variable(kernel_init(shape), trainable=trainable, name='weights')
        self.bias = (tf.Variable(bias_init([out_channels]), trainable=trainable, name='biases')
                     if use_bias else None)

    def own_variables(self):
        names = {'weights': self.kernel}
        if self.bias is not None:
            names['biases'] = self.bias
        return names

    def own_regularized_kernels(self):
        return [self.kernel] if self.regularize else []

    def apply(self, x, kernel, bias=None, activation=None, pointwise_matmul=False):
        """``activation(conv(x, kernel) + bias)`` with this layer's geometry, in ``x``'s dtype.

        Args:
            x: ``[B,H,W,Cin]``.
            kernel: ``[k,k,Cin,Cout]`` in ``x``'s dtype (this layer's, or a scaled copy).
            bias: ``[Cout]`` in ``x``'s dtype, or ``None``.
            activation: ``None``, ``'relu'`` or ``'relu6'``.
            pointwise_matmul: compute a 1x1 stride-1 kernel as a matrix product (below).

        Returns ``[B,H',W',Cout]``. A 1x1 stride-1 kernel may be computed as one matrix product
        of the ``[B*H*W, Cin]`` pixels (the same sums of the same products), bias and
        activation applied before the reshape back so that grappler fuses them into the
        product:

        * always for a 1-channel input (the spatial modulators' guide -> C maps in training;
          inference applies them as ``GuideShift`` inside the modulation): oneDNN's
          convolution is slow for Cin = 1, and the fused product is one pass instead of the
          three of a broadcast product, bias and ReLU;
        * with ``pointwise_matmul`` for any Cin (MobileNet's pointwise layers in training):
          the product's gradients are matrix products, 1.6x faster in bf16 than the
          convolution's filter/input gradients. Inference keeps the convolution, whose fused
          bf16 kernel is faster than the product.
        """
        pointwise = kernel.shape[:2] == (1, 1) and self.stride == 1
        if pointwise and (pointwise_matmul or kernel.shape[2] == 1):
            return self._matmul_apply(x, kernel, bias, activation)
        if self.parallel > 1 and x.dtype == tf.float32:
            return self._parallel_apply(x, kernel, bias, activation)
        return self._convolve(x, kernel, bias, activation)

    def _convolve(self, x, kernel, bias, activation):
        """:meth:`apply` as one ``tf.nn.conv2d`` (grappler fuses bias and activation into it)."""
        y = tf.nn.conv2d(x, kernel, strides=self.stride, padding=self.padding,
                         dilations=self.dilation)
        return _bias_activate(y, bias, activation)

    @staticmethod
    def _matmul_apply(x, kernel, bias, activation):
        """:meth:`apply` of a 1x1 stride-1 kernel as a product of ``[B*H*W, Cin]`` pixels."""
        shape = tf.shape(x)
        y = tf.matmul(tf.reshape(x, [-1, kernel.shape[2]]), tf.reshape(kernel, kernel.shape[2:]))
        y = _bias_activate(y, bias, activation)
        return tf.reshape(y, tf.concat([shape[:3], [kernel.shape[3]]], 0))

    def _parallel_apply(self, x, kernel, bias, activation):
        """:meth:`apply` as ``parallel`` convolutions over output-channel slices, concatenated."""
        sizes = [len(part) for part in np.array_split(np.arange(kernel.shape[3]), self.parallel)]
        kernels = tf.split(kernel, sizes, axis=3)
        biases = [None] * len(sizes) if bias is None else tf.split(bias, sizes)
        return tf.concat([self._convolve(x, part_kernel, part_bias, activation)
                          for part_kernel, part_bias in zip(kernels, biases)], axis=-1)

    def scaled_kernel(self, scale):
        """The float32 kernel with output channel ``c`` multiplied by ``scale[c]``."""
        return self.kernel * scale

    def projected(self, weights):
        """``(kernel [k,k,Cin,N], bias [N] or None)`` float32 of this conv (without activation)
        followed by the linear map ``weights [Cout, N]`` of its output channels:
        ``apply(x, kernel, bias) == conv(x) @ weights``. A linear side output that a 1x1 conv
        reads after per-channel linear resampling collapses to N = 1 channel this way."""
        kernel = tf.tensordot(self.kernel, weights, axes=[[3], [0]])
        bias = None if self.bias is None else tf.linalg.matvec(weights, self.bias,
                                                               transpose_a=True)
        return kernel, bias

    def apply_projected(self, x, weights, tap_products=False):
        """This conv followed by ``weights [Cout, N]`` (:meth:`projected`) on ``x``, computed
        with the projected kernel in ``x``'s dtype: ``[B,H,W,Cin] -> [B,H',W',N]``.

        With ``tap_products`` (the heads set it at inference) a kernel that
        :meth:`has_tap_form` is computed as tap products (:meth:`tap_weights`,
        :meth:`apply_taps`): oneDNN's convolution with a few output channels runs far below
        its speed (a 3x3 128 -> 1 conv at 120x216: 1.37 ms in bfloat16, 3.64 ms in float32;
        as tap products 1.19 / 1.44 ms). Training keeps the one convolution, so the training
        graph and its rounding are unchanged."""
        if tap_products and self.has_tap_form():
            taps, bias = self.tap_weights(weights)
            return self.apply_taps(x, tf.cast(taps, x.dtype), tf.cast(bias, x.dtype))
        kernel, bias = self.projected(weights)
        bias = None if bias is None else tf.cast(bias, x.dtype)
        return self.apply(x, tf.cast(kernel, x.dtype), bias)

    def has_tap_form(self):
        """Whether :meth:`apply_taps` can compute this conv: odd k > 1, stride 1, undilated,
        SAME padding, with a bias."""
        k = self.kernel.shape[0]
        return (k > 1 and k % 2 == 1 and self.stride == 1 and self.dilation == 1
                and self.padding == 'SAME' and self.bias is not None)

    def tap_weights(self, weights):
        """``(taps [1,1,Cin,k*k*N], bias [N])`` float32 of the conv projected by ``weights
        [Cout, N]``: output channel ``(i*k + j)*N + n`` of ``taps`` is tap (i, j) of output n."""
        kernel, bias = self.projected(weights)
        k, _, cin, n = kernel.shape
        return tf.reshape(tf.transpose(kernel, [2, 0, 1, 3]), [1, 1, cin, k * k * n]), bias

    def apply_taps(self, x, taps, bias):
        """``conv(x, kernel) + bias`` from :meth:`tap_weights` (in ``x``'s dtype) as two
        convolutions that oneDNN runs fast: the 1x1 convolution with every tap's weights gives
        each pixel's contribution to each of its k*k neighbours' N outputs, and a k x k
        convolution with a fixed 0/1 kernel ``[k,k,k*k*N,N]`` (1 where tap (i, j) meets output
        n) sums the contributions at the right offsets. Zero padding of the products equals
        zero padding of ``x``. The same products as the k x k conv, summed in another order."""
        k, n = self.kernel.shape[0], bias.shape[0]
        gather = np.zeros([k, k, k * k * n, n], x.dtype.as_numpy_dtype)
        for i, j, o in np.ndindex(k, k, n):
            gather[i, j, (i * k + j) * n + o, o] = 1
        products = tf.nn.conv2d(x, taps, strides=1, padding='SAME')
        y = tf.nn.conv2d(products, gather, strides=1, padding='SAME')
        return _bias_activate(y, bias, None)

    def dense(self, x):
        """This conv applied to a map exactly the kernel's size with VALID padding (one output
        pixel, e.g. VGG's fc6 on the 7x7 pool5 map, or a 1x1 conv on a 1x1 map) as one matrix
        product: ``[B,k,k,Cin] -> [B,1,1,Cout]``. Same result as calling the layer, without
        the convolution's per-call weight reordering (it dominates the fc layers' time)."""
        kernel = tf.cast(self.kernel, x.dtype)
        k, _, cin, cout = self.kernel.shape
        y = tf.matmul(tf.reshape(x, [-1, k * k * cin]), tf.reshape(kernel, [k * k * cin, cout]))
        bias = None if self.bias is None else tf.cast(self.bias, x.dtype)
        return tf.reshape(_bias_activate(y, bias, self.activation), [-1, 1, 1, cout])

    def __call__(self, x):
        bias = None if self.bias is None else tf.cast(self.bias, x.dtype)
        return self.apply(x, tf.cast(self.kernel, x.dtype), bias, self.activation)


class DepthwiseConv2D(Module):
    """Depthwise 3x3 convolution (channel multiplier 1), kernel ``depthwise_weights`` [k,k,C,1].

    No bias (it is always followed by batch norm in MobileNet) and, as in slim's MobileNet
    arg scope, no L2 penalty. Call: ``x [B,H,W,C]`` -> ``[B,H',W',C]`` in the input dtype.
    """

    depthwise = True

    def __init__(self, scope, channels, kernel_size=3, stride=1, padding='SAME',
                 kernel_init=initializers.truncated_normal(0.09), trainable=True):
        super().__init__(scope)
        self.stride = stride
        self.padding = padding
        self.kernel = tf.Variable(kernel_init([kernel_size, kernel_size, channels, 1]),
                                  trainable=trainable, name='depthwise_weights')

    def own_variables(self):
        return {'depthwise_weights': self.kernel}

    def apply(self, x, kernel, bias=None, activation=None, pointwise_matmul=False):
        """``activation(depthwise_conv(x, kernel) + bias)``: ``kernel`` [k,k,C,1] and ``bias``
        [C] (or ``None``) in ``x``'s dtype; see :meth:`Conv2D.apply` (``pointwise_matmul``
        does not apply to depthwise kernels)."""
        y = tf.nn.depthwise_conv2d(x, kernel, [1, self.stride, self.stride, 1], self.padding)
        return _bias_activate(y, bias, activation)

    def scaled_kernel(self, scale):
        """The float32 kernel with channel ``c`` multiplied by ``scale[c]``."""
        return self.kernel * scale[:, tf.newaxis]

    def __call__(self, x):
        return self.apply(x, tf.cast(self.kernel, x.dtype))


def _bias_activate(y, bias, activation):
    """``activation(y + bias)`` (``bias`` may be ``None``): the epilogue every conv form shares,
    in the op order grappler fuses into the preceding conv / product."""
    if bias is not None:
        y = tf.nn.bias_add(y, bias)
    return activate(y, activation)
