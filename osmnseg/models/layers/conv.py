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

    def __call__(self, x):
        y = tf.nn.conv2d(x, tf.cast(self.kernel, x.dtype), strides=self.stride,
                         padding=self.padding, dilations=self.dilation)
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

    def __call__(self, x):
        strides = [1, self.stride, self.stride, 1]
        return tf.nn.depthwise_conv2d(x, tf.cast(self.kernel, x.dtype), strides, self.padding)
