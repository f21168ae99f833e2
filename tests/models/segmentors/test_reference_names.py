"""Original OSMN variable names and shapes at width 1 (spec §9.1), osvos variant.

The full model has 165M parameters (fc6 alone 103M), so the visual modulator is built with
``fc_channels=64``: every other shape is the original one, fc6/fc7/fc8 differ only in that width.
"""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models import build_segmentor
from tiny_models import load_model_config

VGG = {'conv1': [(3, 64), (64, 64)], 'conv2': [(64, 128), (128, 128)],
       'conv3': [(128, 256), (256, 256), (256, 256)], 'conv4': [(256, 512), (512, 512), (512, 512)],
       'conv5': [(512, 512)] * 3}
FC = 64


def expected_osvos_table():
    """``{name: shape}`` of spec §9.1 (fc6/fc7 width = FC)."""
    table = {}
    for scope in ('osmn/modulator', 'osmn/seg'):
        for block, convs in VGG.items():
            for i, (cin, cout) in enumerate(convs, start=1):
                table[f'{scope}/{block}/{block}_{i}/weights'] = (3, 3, cin, cout)
                table[f'{scope}/{block}/{block}_{i}/biases'] = (cout,)
    for name, shape in [('fc6', (7, 7, 512, FC)), ('fc7', (1, 1, FC, FC)),
                        ('fc8', (1, 1, FC, 3840))]:
        table[f'osmn/modulator/{name}/weights'] = shape
        table[f'osmn/modulator/{name}/biases'] = shape[-1:]
    for block, channels in [('conv3', 768), ('conv4', 1536), ('conv5', 1536)]:
        table[f'osmn/modulator_sp/{block}/weights'] = (1, 1, 1, channels)
        for stat in ('beta', 'gamma', 'moving_mean', 'moving_variance'):
            table[f'osmn/modulator_sp/{block}/BatchNorm/{stat}'] = (channels,)
    for b, channels in [(2, 128), (3, 256), (4, 512), (5, 512)]:
        side = f'conv{b}_{len(VGG[f"conv{b}"])}_16'
        table[f'osmn/seg/{side}/weights'] = (3, 3, channels, 16)
        table[f'osmn/seg/{side}/biases'] = (16,)
        k = 2 ** b
        table[f'osmn/seg/score-multi{b}-up/weights'] = (k, k, 16, 16)
    table['osmn/seg/upscore-fuse/weights'] = (1, 1, 64, 1)
    table['osmn/seg/upscore-fuse/biases'] = (1,)
    return table


@pytest.fixture(scope='module')
def width_one_osvos():
    cfg = load_model_config('osvos')
    cfg['visual_modulator']['fc_channels'] = FC
    return build_segmentor(cfg)


def test_osvos_names_and_shapes_equal_the_original(width_one_osvos):
    refs = width_one_osvos.reference_variables()
    assert {k: tuple(v.shape) for k, v in refs.items()} == expected_osvos_table()


def test_osvos_trainable_flags_follow_spec(width_one_osvos):
    refs = width_one_osvos.reference_variables()
    frozen = sorted(k for k, v in refs.items() if not v.trainable)
    deconvs = [f'osmn/seg/score-multi{b}-up/weights' for b in range(2, 6)]
    stats = [f'osmn/modulator_sp/{b}/BatchNorm/{s}' for b in ('conv3', 'conv4', 'conv5')
             for s in ('moving_mean', 'moving_variance')]
    assert frozen == sorted(deconvs + stats)


def test_segmentation_parameter_count_equals_spec(width_one_osvos):
    refs = width_one_osvos.reference_variables()
    count = lambda pred: sum(int(np.prod(v.shape)) for k, v in refs.items() if pred(k, v))
    assert count(lambda k, v: k.startswith('osmn/seg/') and v.trainable) == 14917569
    assert count(lambda k, v: k.startswith('osmn/seg/') and not v.trainable) == 348160


def test_native_checkpoint_round_trip(width_one_osvos, tmp_path):
    model = width_one_osvos
    fuse = model.reference_variables()['osmn/seg/upscore-fuse/biases']
    path = tf.train.Checkpoint(model=model).write(str(tmp_path / 'ckpt'))
    fuse.assign([5.0])
    tf.train.Checkpoint(model=model).read(path).assert_existing_objects_matched()
    assert float(fuse[0]) == 0.0
