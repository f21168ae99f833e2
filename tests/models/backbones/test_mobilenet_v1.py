"""MobileNet v1 backbone: strides, channels, modulatable layers, BN mode."""
import numpy as np
import tensorflow as tf

from osmnseg.registry import BACKBONES


def test_strides_channels_and_modulatable_layers():
    net = BACKBONES.build(dict(type='MobileNetV1', depth_multiplier=0.25))
    layers = net.modulatable_layers
    assert [(l.name, l.stride) for l in layers] == [
        ('Conv2d_3_pointwise', 4), ('Conv2d_5_pointwise', 8), ('Conv2d_11_pointwise', 16),
        ('Conv2d_13_pointwise', 32)]
    assert [l.channels for l in layers] == [32, 64, 128, 256]
    x, _ = net(tf.zeros([1, 70, 90, 3]))
    assert x.shape == (1, 3, 3, 256)  # SAME strides: ceil(70/32), ceil(90/32)


def test_width_one_names_and_shapes():
    net = BACKBONES.build(dict(type='MobileNetV1'))
    shapes = {k: tuple(v.shape) for k, v in net.reference_variables().items()}
    assert shapes['seg/Conv2d_0/weights'] == (3, 3, 3, 32)
    assert shapes['seg/Conv2d_1_depthwise/depthwise_weights'] == (3, 3, 32, 1)
    assert shapes['seg/Conv2d_13_pointwise/weights'] == (1, 1, 1024, 1024)
    assert shapes['seg/Conv2d_13_pointwise/BatchNorm/moving_variance'] == (1024,)
    assert len(shapes) == 5 + 13 * 2 * 5


def test_depthwise_kernels_are_not_regularized():
    net = BACKBONES.build(dict(type='MobileNetV1', depth_multiplier=0.25))
    kernels = {id(k) for k in net.regularized_kernels()}
    refs = net.reference_variables()
    assert id(refs['seg/Conv2d_1_pointwise/weights']) in kernels
    assert id(refs['seg/Conv2d_1_depthwise/depthwise_weights']) not in kernels


def test_batch_norm_follows_training_flag():
    net = BACKBONES.build(dict(type='MobileNetV1', depth_multiplier=0.25))
    stat = net.reference_variables()['seg/Conv2d_0/BatchNorm/moving_mean']
    net(tf.random.normal([1, 32, 32, 3]), training=False)
    np.testing.assert_array_equal(stat.numpy(), 0.0)
    net(tf.random.normal([1, 32, 32, 3]), training=True)
    assert np.any(stat.numpy() != 0.0)
