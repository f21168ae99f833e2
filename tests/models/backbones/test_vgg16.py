"""VGG16 backbone: layouts, declared modulatable layers, visual-parameter counts."""
import pytest
import tensorflow as tf

from osmnseg.registry import BACKBONES
from osmnseg.utils.errors import BuildError


@pytest.mark.parametrize('layout,out_stride,in_channels', [
    ('osvos', 16, 3), ('deeplab', 8, 3), ('masktrack', 8, 4), ('classifier', 32, 3)])
def test_layout_output_stride_and_input_channels(layout, out_stride, in_channels):
    vgg = BACKBONES.build(dict(type='VGG16', layout=layout, width=0.125))
    x, _ = vgg(tf.zeros([1, 64, 64, in_channels]))
    assert x.shape == (1, 64 // out_stride, 64 // out_stride, 64)
    assert vgg.convs['conv1_1'].kernel.shape == (3, 3, in_channels, 8)


def test_deeplab_conv5_is_dilated_and_pools_follow_spec():
    vgg = BACKBONES.build(dict(type='VGG16', layout='deeplab'), )
    assert vgg.convs['conv5_1'].dilation == 2 and vgg.convs['conv4_1'].dilation == 1
    assert vgg.pools == ((2, 2), (2, 2), (2, 2), (2, 1), (3, 1))
    masktrack = BACKBONES.build(dict(type='VGG16', layout='masktrack', width=0.125))
    assert masktrack.pools == ((3, 2), (3, 2), (3, 2), (3, 1), (3, 1))


def test_explicit_options_override_layout():
    vgg = BACKBONES.build(dict(type='VGG16', layout='osvos', pools=[(2, 2)] * 5,
                               conv5_dilation=3, in_channels=5, width=0.125))
    assert vgg.pools[4] == (2, 2) and vgg.convs['conv5_3'].dilation == 3
    assert vgg.in_channels == 5


def test_bad_layout_is_a_build_error():
    with pytest.raises(BuildError, match='layout'):
        BACKBONES.build(dict(type='VGG16', layout='resnet'))


def test_modulatable_layers_give_3840_and_4224_visual_parameters_at_width_1():
    vgg = BACKBONES.build(dict(type='VGG16', layout='osvos'))
    layers = vgg.modulatable_layers
    assert [l.name for l in layers][:3] == ['conv1_1', 'conv1_2', 'conv2_1']
    late = [l for l in layers if l.name not in vgg.early_layers]
    assert sum(l.channels for l in late) == 3840
    assert sum(l.channels for l in layers) == 4224
    assert {l.name: l.stride for l in late}['conv5_3'] == 16


def test_width_one_shapes_equal_the_original():
    vgg = BACKBONES.build(dict(type='VGG16', layout='osvos'))
    shapes = {k: tuple(v.shape) for k, v in vgg.reference_variables().items()}
    assert shapes['seg/conv1/conv1_1/weights'] == (3, 3, 3, 64)
    assert shapes['seg/conv4/conv4_1/weights'] == (3, 3, 256, 512)
    assert shapes['seg/conv5/conv5_3/biases'] == (512,)
    assert len(shapes) == 26
