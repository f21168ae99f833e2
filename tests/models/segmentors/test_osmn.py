"""The OSMN segmentor: shapes, trainable flags, BN/dropout modes, modulation switches, multi-object
sharing, compute dtypes, tracing, reference names, L2."""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models import build_segmentor
from osmnseg.utils.errors import BuildError
from tiny_models import VARIANTS, make_batch, tiny_config, tiny_model


def sgd_step(model, batch, lr=1.0):
    """One plain SGD step on loss + L2; returns {name: value before the step}."""
    before = {k: v.numpy().copy() for k, v in model.reference_variables().items()}
    with tf.GradientTape() as tape:
        logits = model(batch, training=True)
        loss = model.loss(logits, batch['label']) + model.regularization_loss()
    grads = tape.gradient(loss, model.trainable_variables)
    for var, grad in zip(model.trainable_variables, grads):
        if grad is not None:
            var.assign_sub(lr * grad)
    return before


def changed(model, before):
    return {k for k, v in model.reference_variables().items() if np.any(v.numpy() != before[k])}


@pytest.mark.parametrize('variant,size', [(v, (64, 64)) for v in VARIANTS] +
                         [('osvos', (70, 90)), ('lite', (70, 90))])
def test_logits_have_the_input_size(models, variant, size):
    model = models[variant]
    batch = make_batch(2, *size, masktrack=variant == 'masktrack')
    params = model.encode_guide(batch['guide'])
    logits = model.segment(batch['image'], batch['spatial_guide'], params)
    assert logits.shape == (2, *size, 1) and logits.dtype == tf.float32
    np.testing.assert_allclose(logits.numpy(), model(batch).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('variant', VARIANTS)
def test_fresh_visual_parameters_are_exactly_one(models, variant):
    params = models[variant].encode_guide(make_batch(2)['guide'])
    expected = 4 if variant == 'lite' else 9
    assert len(params) == expected
    assert all(np.all(p.numpy() == 1.0) for p in params.values())


def test_reference_variables_cover_every_variable(models):
    for model in models.values():
        refs = model.reference_variables()
        assert {id(v) for v in refs.values()} == {id(v) for v in model.variables}
        assert all(k.startswith('osmn/') for k in refs)


def test_frozen_variables_stay_and_trainable_ones_move():
    model = tiny_model('osvos', train_seg=False)
    moved = changed(model, sgd_step(model, make_batch(2)))
    frozen = [k for k, v in model.reference_variables().items()
              if not v.trainable and 'moving_' not in k]
    assert {'osmn/seg/conv3/conv3_1/weights', 'osmn/seg/score-multi2-up/weights'} <= set(frozen)
    assert not moved & set(frozen)
    assert {'osmn/seg/upscore-fuse/weights', 'osmn/modulator/fc8/weights',
            'osmn/modulator_sp/conv3/weights'} <= moved


def test_fix_bn_keeps_spatial_moving_statistics():
    stat = 'osmn/modulator_sp/conv4/BatchNorm/moving_variance'
    for fix_bn in (True, False):
        model = tiny_model('osvos', fix_bn=fix_bn)
        moved = changed(model, sgd_step(model, make_batch(2)))
        assert (stat in moved) != fix_bn
        assert 'osmn/modulator_sp/conv4/BatchNorm/gamma' in moved


def test_lite_mobilenet_batch_norm_ignores_fix_bn():
    model = tiny_model('lite', fix_bn=True)
    moved = changed(model, sgd_step(model, make_batch(2)))
    assert 'osmn/seg/Conv2d_0/BatchNorm/moving_mean' in moved
    assert 'osmn/modulator_sp/conv3/BatchNorm/moving_mean' not in moved


def test_dropout_only_in_training():
    model = tiny_model('deeplab', fix_bn=True)
    batch = make_batch(1)
    evals = [model(batch, training=False).numpy() for _ in range(2)]
    trains = [model(batch, training=True).numpy() for _ in range(2)]
    np.testing.assert_array_equal(evals[0], evals[1])
    assert np.any(trains[0] != trains[1])


def test_deconv_kernels_are_bilinear(models):
    refs = models['osvos'].reference_variables()
    kernel = refs['osmn/seg/score-multi2-up/weights'].numpy()
    bilinear = np.array([0.25, 0.75, 0.75, 0.25])
    np.testing.assert_allclose(kernel[:, :, 3, 3], np.outer(bilinear, bilinear))
    assert np.count_nonzero(kernel[:, :, 3, 4]) == 0
    up = models['deeplab'].reference_variables()['osmn/seg/score-up/weights']
    assert up.shape == (16, 16, 1, 1) and not up.trainable


def test_reapply_fixed_weights_restores_bilinear_kernels():
    model = tiny_model('osvos')
    kernel = model.reference_variables()['osmn/seg/score-multi5-up/weights']
    original = kernel.numpy()
    kernel.assign(tf.zeros_like(kernel))
    model.reapply_fixed_weights()
    np.testing.assert_array_equal(kernel.numpy(), original)


def test_without_spatial_modulator_the_spatial_guide_is_ignored():
    for variant in ('osvos', 'lite'):  # lite: quirk 6 fixed
        model = tiny_model(variant, spatial_modulator=None)
        assert not any('modulator_sp' in k for k in model.reference_variables())
        batch = make_batch(1, 64, 64)
        other = dict(batch, spatial_guide=1.0 - batch['spatial_guide'])
        np.testing.assert_array_equal(model(batch).numpy(), model(other).numpy())


def test_without_any_modulator_everything_is_shared():
    model = tiny_model('lite', spatial_modulator=None, visual_modulator=None)
    assert model.encode_guide(make_batch(1)['guide']) == {}
    assert model.shared_steps == len(model.backbone.steps())
    assert model(make_batch(1)).shape == (1, 64, 64, 1)
    batch = make_batch(3)
    logits = model.segment(batch['image'][:1], batch['spatial_guide'], {})
    assert logits.shape == (3, 64, 64, 1)  # one frame, three objects: the same logits
    np.testing.assert_array_equal(logits[2].numpy(), logits[0].numpy())


def test_one_frame_with_k_objects_equals_separate_segment_calls(models):
    for variant in ('osvos', 'lite'):
        model = models[variant]
        batch = make_batch(3, 64, 64, seed=5)
        params = model.encode_guide(batch['guide'])
        params = {k: v * tf.constant([[1.0], [0.5], [2.0]]) for k, v in params.items()}
        image = batch['image'][:1]
        shared = model.segment(image, batch['spatial_guide'], params)
        for k in range(3):
            single = model.segment(image, batch['spatial_guide'][k:k + 1],
                                   {n: v[k:k + 1] for n, v in params.items()})
            np.testing.assert_allclose(shared[k:k + 1].numpy(), single.numpy(), rtol=1e-4,
                                       atol=1e-5)
    assert models['osvos'].shared_steps == 6 and models['masktrack'].shared_steps == 0
    assert models['lite'].backbone.steps()[models['lite'].shared_steps].name == 'Conv2d_3_pointwise'


def test_mod_early_conv_modulates_conv1_and_conv2():
    model = tiny_model('osvos', mod_early_conv=True)
    params = model.encode_guide(make_batch(1)['guide'])
    assert len(params) == 13 and sum(p.shape[-1] for p in params.values()) == 4224 // 8
    assert model.shared_steps == 0
    assert 'osmn/modulator_sp/conv1/weights' in model.reference_variables()


def test_segment_traces_once_for_all_sizes(models):
    model = models['lite']
    params = model.encode_guide(make_batch(1)['guide'])
    for size in [(64, 64), (70, 90), (32, 48)]:
        batch = make_batch(1, *size)
        model.segment(batch['image'], batch['spatial_guide'], params)
    functions = [f for key, f in model._functions._functions.items() if key[0] == '_segment']
    assert len(functions) == 1 and functions[0].experimental_get_tracing_count() == 1


@pytest.mark.parametrize('variant', ['osvos', 'lite'])
def test_bfloat16_compute_is_close_to_float32(variant):
    model = tiny_model(variant)
    batch = make_batch(1, 64, 64)
    for var in model.reference_variables().values():  # non-trivial modulation and outputs
        if var.trainable and var.shape.rank == 4:
            fan_in = float(np.prod(var.shape[:3]))
            var.assign(tf.random.normal(var.shape, stddev=np.sqrt(1.0 / fan_in)))
    reference = model(batch).numpy()
    model.set_compute_dtype('bfloat16')
    low = model(batch)
    assert low.dtype == tf.float32
    scale = np.abs(reference).max()
    np.testing.assert_allclose(low.numpy() / scale, reference / scale, atol=0.05)


def test_masktrack_aligned_size_keeps_output_size():
    model = tiny_model('masktrack', aligned_size=(72, 80))
    assert model(make_batch(1, 64, 64, masktrack=True)).shape == (1, 64, 64, 1)
    with pytest.raises(BuildError, match='spatial_modulator'):
        build_segmentor(tiny_config('masktrack', spatial_modulator=dict(
            type='GaussianSpatialModulator')))


def test_regularization_loss_is_half_lambda_sum_of_squared_kernels(models):
    model = models['osvos']
    kernels = [v for k, v in model.reference_variables().items() if k.endswith('/weights')]
    expected = 2e-4 / 2 * sum(float(tf.reduce_sum(v ** 2)) for v in kernels)
    np.testing.assert_allclose(float(model.regularization_loss()), expected, rtol=1e-5)


def test_modulating_an_unknown_layer_is_a_build_error():
    with pytest.raises(BuildError, match='conv9_1'):
        build_segmentor(tiny_config('osvos', visual_modulator=dict(
            type='VGG16VisualModulator', width=0.125,
            layers=[('conv9_1', 8, 4)])))
