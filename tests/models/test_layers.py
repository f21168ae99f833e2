"""Layer building blocks: bilinear deconv, crop, BN, dropout, pooling, resize, dtypes,
modulation."""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.layers import (BatchNorm, BilinearUpsample, Conv2D, ConvBN,
                                   DepthwiseConv2D, Dropout, GuideShift, Modulation,
                                   bilinear_filter_1d, bilinear_kernel, ceil_valid_avg_pool,
                                   center_crop, legacy_resize_bilinear, modulate)
from osmnseg.models.layers.modulation import dense


def test_bilinear_filters_match_spec():
    np.testing.assert_allclose(bilinear_filter_1d(4), [0.25, 0.75, 0.75, 0.25])
    np.testing.assert_allclose(bilinear_filter_1d(8)[:4], [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(bilinear_filter_1d(16)[:8], (2 * np.arange(8) + 1) / 16)
    np.testing.assert_allclose(bilinear_filter_1d(32)[15], 0.96875)
    kernel = bilinear_kernel(4, 3)
    np.testing.assert_allclose(kernel[:, :, 1, 1], np.outer(bilinear_filter_1d(4),
                                                            bilinear_filter_1d(4)))
    assert np.count_nonzero(kernel[:, :, 0, 1]) == 0


def test_bilinear_upsample_is_frozen_and_reapplied():
    up = BilinearUpsample('score-multi2-up', 2, 4, 2)
    assert not up.kernel.trainable
    y = up(tf.ones([1, 5, 7, 2]))
    assert y.shape == (1, 12, 16, 2)  # (in - 1) * 2 + 4
    up.kernel.assign(tf.zeros_like(up.kernel))
    up.reapply_fixed_weights()
    np.testing.assert_array_equal(up.kernel.numpy(), bilinear_kernel(4, 2))


@pytest.mark.parametrize('kernel_size, stride, size, crop', [
    (4, 2, (5, 7), None), (16, 8, (4, 6), (27, 41)), (32, 16, (3, 5), (40, 70))])
def test_bilinear_upsample_equals_the_transposed_conv_and_its_crop(kernel_size, stride, size,
                                                                  crop):
    tf.random.set_seed(0)
    up = BilinearUpsample('score-up', 3, kernel_size, stride)
    x = tf.random.normal([2, *size, 3])
    full = [(n - 1) * stride + kernel_size for n in size]
    expected = tf.nn.conv2d_transpose(x, up.kernel, [2, *full, 3], stride, 'VALID')
    if crop is not None:
        expected = center_crop(expected, crop)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ours = up(x, crop_to=crop)
        reference = tf.nn.conv2d_transpose(x, up.kernel, [2, *full, 3], stride, 'VALID')
        reference = reference if crop is None else center_crop(reference, crop)
        weights = tf.random.normal(tf.shape(reference))
        losses = [tf.reduce_sum(ours * weights), tf.reduce_sum(reference * weights)]
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tape.gradient(losses[0], x).numpy(),
                               tape.gradient(losses[1], x).numpy(), rtol=1e-5, atol=1e-4)


def test_center_crop_keeps_floor_offset_window():
    x = tf.reshape(tf.range(6 * 7, dtype=tf.float32), [1, 6, 7, 1])
    y = center_crop(x, (3, 4))
    np.testing.assert_array_equal(y.numpy(), x.numpy()[:, 1:4, 1:5])


def test_batch_norm_training_updates_with_bessel_correction():
    bn = BatchNorm(2, momentum=0.9)
    x = tf.random.normal([2, 3, 3, 2], seed=1)
    y = bn(x, training=True)
    mean, var = np.mean(x.numpy(), axis=(0, 1, 2)), np.var(x.numpy(), axis=(0, 1, 2))
    np.testing.assert_allclose(y.numpy(), (x.numpy() - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var * 18 / 17, atol=1e-6)


def test_batch_norm_matches_tf_fused_kernel():
    x = tf.random.normal([2, 5, 5, 3])
    y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
        x=x, scale=tf.ones([3]), offset=tf.zeros([3]), mean=tf.zeros([3]),
        variance=tf.ones([3]), epsilon=1e-3, exponential_avg_factor=1.0, is_training=True)
    bn = BatchNorm(3, momentum=0.0)  # moving stats = this batch's stats
    np.testing.assert_allclose(bn(x, training=True).numpy(), y.numpy(), atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), variance.numpy(), atol=1e-5)


def test_batch_norm_inference_mode_keeps_moving_stats_but_trains_gamma_beta():
    bn = BatchNorm(2, momentum=0.99)
    bn.moving_mean.assign([1.0, -1.0])
    x = tf.random.normal([1, 4, 4, 2])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(bn(x, training=False) ** 2)
    grads = tape.gradient(loss, [bn.gamma, bn.beta])
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [1.0, -1.0])
    np.testing.assert_array_equal(bn.moving_variance.numpy(), [1.0, 1.0])
    assert all(g is not None for g in grads)
    assert bn.gamma.trainable and not bn.moving_mean.trainable


def test_dropout_only_in_training_and_reproducible():
    x = tf.ones([4, 8, 8, 3])
    assert Dropout(0.5, seed=3)(x, training=False) is x
    first = Dropout(0.5, seed=3)(x, training=True).numpy()
    second = Dropout(0.5, seed=3)(x, training=True).numpy()
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) == {0.0, 2.0}


def test_ceil_valid_avg_pool_equals_valid_pool_on_multiples():
    x = tf.random.uniform([1, 8, 12, 1])
    np.testing.assert_allclose(ceil_valid_avg_pool(x, 4).numpy(),
                               tf.nn.avg_pool2d(x, 4, 4, 'VALID').numpy(), rtol=1e-6)
    odd = ceil_valid_avg_pool(tf.ones([1, 9, 10, 1]), 4)
    assert odd.shape == (1, 3, 3, 1)
    np.testing.assert_allclose(odd.numpy(), 1.0, rtol=1e-6)
    x = np.random.default_rng(0).random((2, 9, 10, 3)).astype(np.float32)
    expected = [[[x[b, i:i + 4, j:j + 4].mean(axis=(0, 1)) for j in range(0, 10, 4)]
                 for i in range(0, 9, 4)] for b in range(2)]  # partial windows: their pixels
    np.testing.assert_allclose(ceil_valid_avg_pool(tf.constant(x), 4).numpy(), expected,
                               rtol=1e-5)


def test_legacy_resize_matches_tf1_resize_bilinear():
    x = tf.random.uniform([1, 5, 7, 2])
    expected = tf.compat.v1.image.resize_bilinear(x, [11, 13], align_corners=False,
                                                  half_pixel_centers=False)
    np.testing.assert_allclose(legacy_resize_bilinear(x, (11, 13)).numpy(), expected.numpy())


@pytest.mark.parametrize('dtype', [tf.bfloat16, tf.float16])
def test_layers_compute_in_input_dtype_with_float32_variables(dtype):
    conv = Conv2D('c', 3, 4, 3, activation='relu')
    bn = BatchNorm(4, momentum=0.99)
    y = bn(conv(tf.cast(tf.random.normal([1, 6, 6, 3]), dtype)), training=True)
    assert y.dtype == dtype and conv.kernel.dtype == tf.float32
    assert bn.moving_mean.dtype == tf.float32


def test_pointwise_conv_as_matrix_product_equals_the_convolution_and_its_gradients():
    tf.random.set_seed(0)
    conv = Conv2D('c', 5, 7, 1, activation='relu6')
    conv.bias.assign(tf.random.normal([7]))
    x = tf.random.normal([2, 6, 9, 5]) * 3
    kernel, bias = tf.identity(conv.kernel), tf.identity(conv.bias)
    results = []
    for matmul in (False, True):
        with tf.GradientTape() as tape:
            tape.watch([x, kernel])
            y = conv.apply(x, kernel, bias, 'relu6', pointwise_matmul=matmul)
            loss = tf.reduce_sum(y * tf.range(7.0))
        results.append([y] + tape.gradient(loss, [x, kernel]))
    assert results[1][0].shape == (2, 6, 9, 7)
    for conv_result, matmul_result in zip(*results):
        np.testing.assert_allclose(matmul_result.numpy(), conv_result.numpy(), rtol=1e-5,
                                   atol=1e-5)


def test_bfloat16_depthwise_block_trains_in_float32_and_keeps_the_dtype():
    tf.random.set_seed(0)
    block = ConvBN('dw', DepthwiseConv2D('', 4), 4, momentum=0.9, activation='relu6')
    x = tf.random.normal([2, 8, 8, 4])
    with tf.GradientTape() as tape:
        y16 = block(tf.cast(x, tf.bfloat16), training=True)
        loss = tf.reduce_sum(tf.cast(y16, tf.float32))
    grad = tape.gradient(loss, block.conv.kernel)
    assert y16.dtype == tf.bfloat16 and grad.dtype == tf.float32
    y32 = ConvBN('dw', DepthwiseConv2D('', 4), 4, momentum=0.9, activation='relu6')
    y32.conv.kernel.assign(block.conv.kernel)
    np.testing.assert_allclose(tf.cast(y16, tf.float32).numpy(),
                               y32(tf.cast(tf.cast(x, tf.bfloat16), tf.float32),
                                   training=True).numpy(), atol=0.05)


def test_parallel_conv_equals_one_convolution_in_float32_only():
    tf.random.set_seed(0)
    single = Conv2D('c', 6, 10, 3, activation='relu')
    split = Conv2D('c', 6, 10, 3, activation='relu', parallel=3)
    split.kernel.assign(single.kernel * 500.0)
    single.kernel.assign(split.kernel)
    single.bias.assign(tf.random.normal([10]))
    split.bias.assign(single.bias)
    x = tf.random.normal([2, 7, 9, 6])
    with tf.GradientTape(persistent=True) as tape:
        outputs = [layer(x) for layer in (single, split)]
        losses = [tf.reduce_sum(y * tf.range(10.0)) for y in outputs]
    np.testing.assert_allclose(outputs[1].numpy(), outputs[0].numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(tape.gradient(losses[1], split.kernel).numpy(),
                               tape.gradient(losses[0], single.kernel).numpy(), rtol=1e-5)
    assert split(tf.cast(x, tf.bfloat16)).dtype == tf.bfloat16


@pytest.mark.parametrize('kernel_size, projected', [(3, 1), (3, 2), (5, 1)])
@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_projected_conv_as_tap_products_equals_the_convolution(kernel_size, projected, dtype):
    """The heads' inference form: a 1x1 conv to every tap, then a 0/1 k x k conv that sums
    the taps at their offsets, equals the projected k x k conv (odd sizes: padded borders)."""
    tf.random.set_seed(1)
    conv = Conv2D('c', 5, 16, kernel_size, kernel_init=lambda shape: tf.random.normal(shape))
    conv.bias.assign(tf.random.normal([16]))
    weights = tf.random.normal([16, projected])
    x = tf.cast(tf.random.normal([2, 9, 13, 5]), dtype)
    expected = conv.apply_projected(tf.cast(x, tf.float32), weights).numpy()
    taps = conv.apply_projected(x, weights, tap_products=True)
    assert taps.dtype == x.dtype and taps.shape == (2, 9, 13, projected)
    tolerance = 1e-5 if dtype == 'float32' else 3e-2
    np.testing.assert_allclose(taps.numpy().astype(np.float32), expected,
                               atol=tolerance * np.abs(expected).max())


def test_tap_products_only_replace_stride_one_same_convolutions():
    strided = Conv2D('c', 4, 8, 3, stride=2)
    valid = Conv2D('c', 4, 8, 3, padding='VALID')
    weights, x = tf.random.normal([8, 1]), tf.random.normal([1, 8, 10, 4])
    for conv in (strided, valid):
        np.testing.assert_array_equal(conv.apply_projected(x, weights, tap_products=True),
                                      conv.apply_projected(x, weights))


@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_guide_shift_modulation_equals_scaling_and_the_expanded_shift(dtype):
    """The fused kernel of a GuideShift: x * scale + relu(guide * w + b), broadcasting a
    batch-1 x over K = 2 objects, with and without a scale."""
    dtype = tf.as_dtype(dtype)
    x = tf.cast(tf.random.normal([1, 5, 7, 3]), dtype)
    shift = GuideShift(tf.random.uniform([2, 5, 7, 1]), tf.random.normal([3]),
                       tf.random.normal([3]))
    scale = tf.random.normal([2, 3])
    expanded = tf.nn.relu(tf.cast(shift.guide * shift.weight + shift.bias, dtype))
    tolerance = 1e-6 if dtype == tf.float32 else 3e-2
    for got, expected in ((modulate(x, scale, shift), x * tf.cast(scale, dtype)[:, None, None]
                           + expanded), (modulate(x, None, shift), x + expanded)):
        assert got.dtype == dtype and got.shape == (2, 5, 7, 3)
        np.testing.assert_allclose(tf.cast(got, tf.float32).numpy(),
                                   tf.cast(expected, tf.float32).numpy(), rtol=tolerance,
                                   atol=tolerance)
    np.testing.assert_array_equal(dense(shift).numpy(),
                                  tf.nn.relu(shift.guide * shift.weight + shift.bias).numpy())


def test_combining_a_guide_shift_with_another_shift_expands_it():
    shift = GuideShift(tf.random.uniform([1, 4, 4, 1]), tf.ones([2]), tf.zeros([2]))
    visual = Modulation({}, {'a': tf.constant([[1.0, 2.0]])})
    combined = visual.combined(Modulation({}, {'a': shift, 'b': shift}))
    np.testing.assert_allclose(combined.shifts['a'].numpy(),
                               shift.dense().numpy() + [[[[1.0, 2.0]]]], rtol=1e-6)
    assert combined.shifts['b'] is shift  # alone, it stays unexpanded


def test_guide_shift_is_expanded_with_tf_ops_where_the_device_has_no_xla_kernels(monkeypatch):
    from osmnseg.models.layers import modulation
    x = tf.random.normal([1, 5, 7, 3])
    shift = GuideShift(tf.random.uniform([2, 5, 7, 1]), tf.random.normal([3]),
                       tf.random.normal([3]))
    fused = modulate(x, tf.ones([2, 3]), shift)

    def no_xla(*args):
        raise AssertionError('the XLA kernel ran on a device without XLA kernels')

    monkeypatch.setattr(modulation, '_guide_modulation', no_xla)
    np.testing.assert_allclose(modulate(x, tf.ones([2, 3]), shift, fused=False).numpy(),
                               fused.numpy(),
                               rtol=1e-6, atol=1e-6)
