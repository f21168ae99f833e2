"""Convolution layers: regular (optionally dilated / strided) and depthwise, NHWC, HWIO kernels.

Variables are float32; the op runs in the dtype of its input (kernels are cast at use), so the
compute dtype is whatever the segmentor feeds in.
"""
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

    Call: ``x [B,H,W,Cin]`` (any float dtype) -> ``[B,H',W',Cout]`` in the same dtype.
    """

    def __init__(self, scope, in_channels, out_channels, kernel_size, stride=1, dilation=1,
                 padding='SAME', use_bias=True, activation=None,
                 kernel_init=initializers.normal(0.001), bias_init=initializers.zeros,
                 trainable=True, regularize=True):
        super().__init__(scope)
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

    def convolve(self, x, kernel):
        """The bare convolution of ``x`` with ``kernel`` (this layer's geometry; no bias, no
        activation). A 1x1, stride-1 kernel on a single-channel map is computed as the
        broadcast product it is (the spatial modulators' ``[B,h,w,1] -> [B,h,w,C]`` convs, for
        which oneDNN's convolution is slow); the result is the same."""
        if kernel.shape[:3] == (1, 1, 1) and self.stride == 1:
            return x * kernel[0, 0]
        return tf.nn.conv2d(x, kernel, strides=self.stride, padding=self.padding,
                            dilations=self.dilation)

    def scaled_kernel(self, scale):
        """The float32 kernel with output channel ``c`` multiplied by ``scale[c]``."""
        return self.kernel * scale

    def dense(self, x):
        """This conv applied to a map exactly the kernel's size with VALID padding (one output
        pixel, e.g. VGG's fc6 on the 7x7 pool5 map, or a 1x1 conv on a 1x1 map) as one matrix
        product: ``[B,k,k,Cin] -> [B,1,1,Cout]``. Same result as calling the layer, without
        the convolution's per-call weight reordering (it dominates the fc layers' time)."""
        kernel = tf.cast(self.kernel, x.dtype)
        k, _, cin, cout = self.kernel.shape
        y = tf.matmul(tf.reshape(x, [-1, k * k * cin]), tf.reshape(kernel, [k * k * cin, cout]))
        if self.bias is not None:
            y = tf.nn.bias_add(y, tf.cast(self.bias, x.dtype))
        return tf.reshape(activate(y, self.activation), [-1, 1, 1, cout])

    def __call__(self, x):
        y = self.convolve(x, tf.cast(self.kernel, x.dtype))
        if self.bias is not None:
            y = tf.nn.bias_add(y, tf.cast(self.bias, x.dtype))
        return activate(y, self.activation)


class DepthwiseConv2D(Module):
    """Depthwise 3x3 convolution (channel multiplier 1), kernel ``depthwise_weights`` [k,k,C,1].

    No bias (it is always followed by batch norm in MobileNet) and, as in slim's MobileNet
    arg scope, no L2 penalty. Call: ``x [B,H,W,C]`` -> ``[B,H',W',C]`` in the input dtype.
    """

    def __init__(self, scope, channels, kernel_size=3, stride=1, padding='SAME',
                 kernel_init=initializers.truncated_normal(0.09), trainable=True):
        super().__init__(scope)
        self.stride = stride
        self.padding = padding
        self.kernel = tf.Variable(kernel_init([kernel_size, kernel_size, channels, 1]),
                                  trainable=trainable, name='depthwise_weights')

    def own_variables(self):
        return {'depthwise_weights': self.kernel}

    def convolve(self, x, kernel):
        """The bare depthwise convolution of ``x`` with ``kernel`` [k,k,C,1]."""
        return tf.nn.depthwise_conv2d(x, kernel, [1, self.stride, self.stride, 1], self.padding)

    def scaled_kernel(self, scale):
        """The float32 kernel with channel ``c`` multiplied by ``scale[c]``."""
        return self.kernel * scale[:, tf.newaxis]

    def __call__(self, x):
        return self.convolve(x, tf.cast(self.kernel, x.dtype))
