"""osmnseg.benchmark.flops: graph FLOP counts against hand counts."""
import os

import pytest
import tensorflow as tf

from osmnseg.benchmark.flops import frame_flops, guide_flops, trace_flops, train_flops
from osmnseg.config import Config
from osmnseg.models import build_segmentor

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
OSVOS = os.path.join(ROOT, 'configs', '_base_', 'models', 'osmn_vgg16.py')


def conv(h, w, cin, cout, k=3):
    """Hand count: 2 x multiply-adds of a stride-1 SAME conv with an h x w output."""
    return 2 * h * w * cout * k * k * cin


@pytest.fixture(scope='module')
def tiny_osvos():
    """VGG16 osvos at 1/8 width: channels 8, 16, 32, 64, 64; fc6/fc7 512 wide."""
    cfg = Config.fromfile(OSVOS)
    cfg.merge_from_dict({'model.backbone.width': 0.125, 'model.visual_modulator.width': 0.125})
    tf.random.set_seed(0)
    return build_segmentor(cfg.model)


def test_conv_depthwise_transposed_and_matmul_against_hand_count():
    x = tf.TensorSpec([2, 8, 10, 3])

    def net(x):
        y = tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, 'SAME')                 # 2*8*10*4*27*2
        y = tf.nn.conv2d(y, tf.ones([3, 3, 4, 6]), 2, 'SAME')                 # out 4x5
        y = tf.nn.depthwise_conv2d(y, tf.ones([3, 3, 6, 2]), [1, 1, 1, 1], 'SAME')  # 12 ch
        y = tf.nn.conv2d_transpose(y, tf.ones([4, 4, 5, 12]), [2, 10, 12, 5], 2, 'VALID')
        z = tf.matmul(tf.reshape(y, [2, -1]), tf.ones([600, 7]))
        return tf.reduce_sum(z) + tf.reduce_sum(tf.nn.relu(y))

    expected = (2 * conv(8, 10, 3, 4) + 2 * conv(4, 5, 4, 6) + 2 * (2 * 4 * 5 * 12 * 9)
                + 2 * (2 * 4 * 5 * 12 * 16 * 5) + 2 * 2 * 600 * 7)
    assert trace_flops(net, x) == expected


def test_dead_ops_are_not_counted():
    def net(x):
        tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, 'SAME')  # result unused: pruned
        return x * 2.0

    assert trace_flops(net, tf.TensorSpec([1, 8, 8, 3])) == 0


def test_gradient_wrt_kernel_counts_forward_and_filter_backprop():
    kernel = tf.Variable(tf.ones([3, 3, 3, 4]))

    def loss_grad(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(tf.nn.conv2d(x, kernel, 1, 'SAME')))
        return tape.gradient(loss, kernel)

    assert trace_flops(loss_grad, tf.TensorSpec([1, 8, 8, 3])) == 2 * conv(8, 8, 3, 4)


def test_unknown_shapes_are_rejected():
    with pytest.raises(ValueError, match='not static'):
        trace_flops(lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, 'SAME'),
                    tf.TensorSpec([1, None, None, 3]))


@pytest.fixture(scope='module')
def osvos_frame_flops(tiny_osvos):
    """``{K: frame FLOPs}`` of the tiny osvos model at 32x48 for K = 1, 2 objects."""
    return {k: frame_flops(tiny_osvos, (32, 48), k) for k in (1, 2)}


def test_osvos_frame_flops_equal_a_hand_count_of_its_layers(osvos_frame_flops):
    h, w = 32, 48
    backbone = (conv(h, w, 3, 8) + conv(h, w, 8, 8) + conv(16, 24, 8, 16) + conv(16, 24, 16, 16)
                + conv(8, 12, 16, 32) + 2 * conv(8, 12, 32, 32) + conv(4, 6, 32, 64)
                + 2 * conv(4, 6, 64, 64) + 3 * conv(2, 3, 64, 64))
    # side outputs projected to one channel by upscore-fuse's weights (SideOutputHead: the
    # projection of each [3,3,Cin,16] kernel and 16 biases is itself a product, in every call
    # of a model whose inference weights are not prepared), computed as tap products (a 1x1
    # conv to the 9 taps, a 3x3 conv 9 -> 1 summing them), each upsampled and cropped to 32x48
    # by two products with interpolation matrices
    sides = sum(conv(hi, wi, cin, 9, k=1) + conv(hi, wi, 9, 1)
                for hi, wi, cin in ((16, 24, 16), (8, 12, 32), (4, 6, 64), (2, 3, 64)))
    sides += sum(2 * 9 * cin * 16 + 2 * 16 for cin in (16, 32, 64, 64))
    upsampling = sum(2 * hi * w * wi + 2 * h * hi * w
                     for hi, wi in ((16, 24), (8, 12), (4, 6), (2, 3)))
    # the spatial shifts relu(guide * w + b) are element-wise work inside the fused modulation
    # kernel (GuideShift), not products, so they count nothing
    assert osvos_frame_flops[1] == backbone + sides + upsampling


def test_a_second_object_does_not_repeat_the_unmodulated_layers(osvos_frame_flops):
    one, two = osvos_frame_flops[1], osvos_frame_flops[2]
    unmodulated = (conv(32, 48, 3, 8) + conv(32, 48, 8, 8) + conv(16, 24, 8, 16)
                   + conv(16, 24, 16, 16))
    assert one < two <= 2 * one - unmodulated


def test_osvos_guide_flops_equal_a_hand_count(tiny_osvos):
    vgg = (conv(224, 224, 3, 8) + conv(224, 224, 8, 8) + conv(112, 112, 8, 16)
           + conv(112, 112, 16, 16) + conv(56, 56, 16, 32) + 2 * conv(56, 56, 32, 32)
           + conv(28, 28, 32, 64) + 2 * conv(28, 28, 64, 64) + 3 * conv(14, 14, 64, 64))
    fc = 2 * 7 * 7 * 64 * 512 + 2 * 512 * 512 + 2 * 512 * (3 * 32 + 6 * 64)
    assert guide_flops(tiny_osvos) == vgg + fc


def test_training_flops_are_about_three_forward_passes(tiny_osvos, osvos_frame_flops):
    forward = osvos_frame_flops[1] + guide_flops(tiny_osvos)
    ratio = train_flops(tiny_osvos, 1, (32, 48)) / forward
    # backprop of every kernel (x1) and of every input except the images' (x1, minus conv1_1)
    assert 2.8 < ratio <= 3.0
