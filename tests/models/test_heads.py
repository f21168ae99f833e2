"""Heads: side-output crop offsets (spec §3.4 table), output sizes, trainable flags."""
import pytest
import tensorflow as tf

from osmnseg.models.layers import crop_offsets
from osmnseg.registry import BACKBONES, HEADS


@pytest.fixture(scope='module')
def osvos_parts():
    backbone = BACKBONES.build(dict(type='VGG16', layout='osvos', width=0.125))
    head = HEADS.build(dict(type='SideOutputHead', in_channels=backbone.channels,
                            in_strides=backbone.strides, trainable=False))
    return backbone, head


@pytest.mark.parametrize('size,expected', [
    ((480, 854), [(1, 1), (2, 3), (4, 5), (8, 13)]),
    ((400, 400), [(1, 1), (2, 2), (4, 4), (8, 8)]),
    ((256, 448), [(1, 1), (2, 2), (4, 4), (8, 8)]),
    ((240, 427), [(1, 1), (2, 2), (4, 6), (8, 10)]),
])
def test_side_output_crop_offsets_match_spec_table(osvos_parts, size, expected):
    backbone, head = osvos_parts
    _, features = backbone(tf.zeros([1, *size, 3]), keep=head.in_features)
    offsets = []
    for feature, side, up in zip(head.in_features, head.sides, head.upsamples):
        upsampled = up(side(features[feature])).shape
        offsets.append((crop_offsets(upsampled[1], size[0]), crop_offsets(upsampled[2], size[1])))
    assert offsets == expected
    assert head(features, tf.constant(size)).shape == (1, *size, 1)


def test_side_output_trainable_flags(osvos_parts):
    _, head = osvos_parts
    assert not any(v.trainable for side in head.sides for v in side.trainable_variables)
    assert all(not up.kernel.trainable for up in head.upsamples)
    assert head.fuse.kernel.trainable and head.fuse.bias.trainable  # upscore-fuse always trains


def test_aspp_and_lite_heads_return_input_size():
    channels, strides = {'pool5': 8}, {'pool5': 8}
    aspp = HEADS.build(dict(type='ASPPHead', in_channels=channels, in_strides=strides,
                            channels=8, score_name='fc8'))
    logits = aspp({'pool5': tf.zeros([2, 9, 12, 8])}, tf.constant([70, 90]))
    assert logits.shape == (2, 70, 90, 1)
    assert 'seg/fc8_4/biases' in aspp.reference_variables()
    names = ['Conv2d_3_pointwise', 'Conv2d_5_pointwise']
    lite = HEADS.build(dict(type='LiteHead', in_features=names, in_channels=dict.fromkeys(names, 4),
                            in_strides={}))
    features = {names[0]: tf.zeros([1, 18, 23, 4]), names[1]: tf.zeros([1, 9, 12, 4])}
    assert lite(features, tf.constant([70, 90])).shape == (1, 70, 90, 1)
    assert list(lite.reference_variables())[:2] == ['conv3_16/weights', 'conv3_16/biases']
    # bfloat16 features: the resized sides are summed and returned in float32 (TF's resize
    # computes in float32), equal to the float32 head up to the features' rounding
    for variable in lite.trainable_variables:
        variable.assign(tf.random.stateless_normal(variable.shape, [5, 6], stddev=0.3))
    features = {k: tf.random.stateless_uniform(v.shape, [7, 8]) for k, v in features.items()}
    half = lite({k: tf.cast(v, tf.bfloat16) for k, v in features.items()}, tf.constant([70, 90]))
    full = lite(features, tf.constant([70, 90]))
    assert half.dtype == tf.float32
    assert float(tf.reduce_max(tf.abs(half - full))) < 2e-2 * float(tf.reduce_max(tf.abs(full)))
