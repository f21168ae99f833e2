"""Modulators: identity at initialisation, slicing layout, spatial pooling layouts and sizes."""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.layers import GuideShift, ModulatableLayer
from osmnseg.registry import BACKBONES, MODULATORS
from osmnseg.utils.errors import ConfigError


def vgg_layers(layout, early=False):
    vgg = BACKBONES.build(dict(type='VGG16', layout=layout, width=0.125))
    return [l for l in vgg.modulatable_layers if early or l.name not in vgg.early_layers]


def test_vgg_visual_modulator_starts_as_identity_with_spec_layout():
    layers = vgg_layers('osvos', early=True)
    modulator = MODULATORS.build(dict(type='VGG16VisualModulator', layers=layers, width=0.125))
    scales, shifts = modulator(tf.random.normal([2, 224, 224, 3]) * 50, training=True)
    assert shifts == {} and list(scales) == [l.name for l in layers]
    assert all(np.all(s.numpy() == 1.0) for s in scales.values())
    assert {k: v.shape[-1] for k, v in scales.items()}['conv2_2'] == 16
    refs = modulator.reference_variables()
    assert refs['modulator/fc8/weights'].shape == (1, 1, 512, sum(l.channels for l in layers))


def test_vgg_visual_modulator_slices_fc8_consecutively():
    layers = [ModulatableLayer('a', 2, 4), ModulatableLayer('b', 3, 4)]
    modulator = MODULATORS.build(dict(type='VGG16VisualModulator', layers=layers, width=0.125))
    modulator.fc8.bias.assign([1.0, 2.0, 3.0, 4.0, 5.0])
    scales, _ = modulator(tf.zeros([1, 224, 224, 3]))
    np.testing.assert_array_equal(scales['a'].numpy(), [[1.0, 2.0]])
    np.testing.assert_array_equal(scales['b'].numpy(), [[3.0, 4.0, 5.0]])


def test_gaussian_spatial_modulator_follows_backbone_strides():
    guide = tf.random.uniform([1, 70, 90, 1])
    osvos = MODULATORS.build(dict(type='GaussianSpatialModulator', layers=vgg_layers('osvos')))
    _, shifts = osvos(guide, training=False)
    assert shifts['conv3_2'].shape == (1, 18, 23, 32)
    assert shifts['conv5_3'].shape == (1, 5, 6, 64)
    assert list(osvos.blocks) == ['conv3', 'conv4', 'conv5']
    deeplab = MODULATORS.build(dict(type='GaussianSpatialModulator',
                                    layers=vgg_layers('deeplab', early=True)))
    _, shifts = deeplab(guide, training=False)
    assert shifts['conv1_1'].shape == (1, 70, 90, 8) and shifts['conv2_1'].shape[1:3] == (35, 45)
    assert shifts['conv4_1'].shape[1:3] == shifts['conv5_1'].shape[1:3] == (9, 12)
    refs = deeplab.reference_variables()
    assert refs['modulator_sp/conv5/weights'].shape == (1, 1, 1, 3 * 64)
    assert refs['modulator_sp/conv1/BatchNorm/moving_mean'].shape == (16,)


def test_mobilenet_visual_modulator_has_four_identity_heads():
    backbone = BACKBONES.build(dict(type='MobileNetV1', width=0.25))
    modulator = MODULATORS.build(dict(type='MobileNetVisualModulator',
                                      layers=backbone.modulatable_layers, width=0.25))
    scales, _ = modulator(tf.random.normal([2, 224, 224, 3]), training=True)
    assert [s.shape for s in scales.values()] == [(2, 32), (2, 64), (2, 128), (2, 256)]
    assert all(np.all(s.numpy() == 1.0) for s in scales.values())
    names = list(modulator.reference_variables())
    assert 'Conv2d_out_4/biases' in names and 'modulator/Logits/Conv2d_1c_1x1/weights' in names


def test_lite_spatial_modulator_matches_mobilenet_sizes_for_any_input():
    backbone = BACKBONES.build(dict(type='MobileNetV1', width=0.25))
    modulator = MODULATORS.build(dict(type='LiteSpatialModulator',
                                      layers=backbone.modulatable_layers))
    for size in [(64, 96), (70, 90)]:
        _, features = backbone(tf.zeros([1, *size, 3]), keep=modulator.modulated_layers)
        _, shifts = modulator(tf.random.uniform([1, *size, 1]))
        assert {k: v.shape for k, v in shifts.items()} == {k: v.shape for k, v in features.items()}
    assert list(modulator.reference_variables())[0] == 'modulator_sp/conv3/weights'


def test_lite_spatial_modulator_uses_valid_pools_at_multiples_of_32():
    layers = [ModulatableLayer('Conv2d_3_pointwise', 1, 4),
              ModulatableLayer('Conv2d_5_pointwise', 1, 8)]
    modulator = MODULATORS.build(dict(type='LiteSpatialModulator', layers=layers))
    for conv in modulator.convs:
        conv.conv.kernel.assign(tf.ones_like(conv.conv.kernel))
    guide = tf.random.uniform([1, 32, 64, 1])
    _, shifts = modulator(guide, training=False)  # BN at init is ~identity: x / sqrt(1 + eps)
    expected = tf.nn.avg_pool2d(tf.nn.avg_pool2d(guide, 4, 4, 'VALID'), 2, 2, 'VALID')
    np.testing.assert_allclose(shifts['Conv2d_5_pointwise'].numpy(),
                               tf.nn.relu(expected / np.sqrt(1.001)).numpy(), rtol=1e-5)


def test_mobilenet_visual_modulator_pools_globally_for_any_guide_size():
    """At 224x224 the global average is the original 7x7 VALID pool; 112x112 guides (cheap
    training) give scales of the same shape."""
    backbone = BACKBONES.build(dict(type='MobileNetV1', width=0.25))
    modulator = MODULATORS.build(dict(type='MobileNetVisualModulator', hidden_init_std=0.09,
                                      layers=backbone.modulatable_layers, width=0.25))
    for head in modulator.heads:
        head.kernel.assign(tf.random.normal(head.kernel.shape, stddev=0.1))
    guide = tf.random.normal([2, 224, 224, 3])
    features, _ = modulator.body(guide)
    pooled = tf.nn.avg_pool2d(features, 7, 1, 'VALID')
    hidden = tf.nn.relu(modulator.logits(pooled))
    scales, _ = modulator(guide)
    for layer, head in zip(modulator.layers, modulator.heads):
        np.testing.assert_allclose(scales[layer.name].numpy(), head(hidden).numpy()[:, 0, 0],
                                   rtol=1e-5, atol=1e-6)
    small, _ = modulator(tf.random.normal([2, 112, 112, 3]))
    assert {k: v.shape for k, v in small.items()} == {k: v.shape for k, v in scales.items()}


def test_vgg_visual_modulator_rejects_other_guide_sizes_in_one_line():
    modulator = MODULATORS.build(dict(type='VGG16VisualModulator', layers=vgg_layers('osvos'),
                                      width=0.125, fc_channels=16))
    with pytest.raises(ConfigError, match='224x224 visual guides.*got 112x112.*VisualGuide'):
        modulator(tf.zeros([1, 112, 112, 3]))


@pytest.mark.parametrize('config, layers', [
    (dict(type='GaussianSpatialModulator'), vgg_layers('deeplab', early=True)),
    (dict(type='LiteSpatialModulator'),
     BACKBONES.build(dict(type='MobileNetV1', width=0.25)).modulatable_layers)])
def test_spatial_inference_modulation_is_the_maps_as_guide_shifts(config, layers):
    """inference_modulation (what the segmentor uses outside training) gives GuideShifts whose
    expansion equals the modulator's inference-mode maps, trained-looking BN included."""
    modulator = MODULATORS.build(dict(config, layers=layers))
    for var in modulator.variables:
        var.assign(tf.random.stateless_uniform(var.shape, [3, 4], 0.5, 1.5))
    guide = tf.random.uniform([2, 70, 90, 1])
    _, maps = modulator(guide, training=False)
    modulation = modulator.inference_modulation(guide, tf.float32)
    assert modulation.scales == {} and list(modulation.shifts) == list(maps)
    for name, shift in modulation.shifts.items():
        assert isinstance(shift, GuideShift)
        np.testing.assert_allclose(shift.dense().numpy(), maps[name].numpy(), rtol=1e-5,
                                   atol=1e-6)
