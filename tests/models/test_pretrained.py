"""Pretrained initialisation from config (``init_cfg``): TF checkpoints and frozen GraphDefs."""
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from osmnseg.models.pretrained import check_normalization, init_pretrained
from osmnseg.utils.errors import CheckpointError, ConfigError
from requirements import MOBILENET_CKPT as SHARED_CKPT, MOBILENET_WEIGHTS, require
from tiny_models import tiny_model


def slim_weights(model, seed=0):
    """``{MobilenetV1/<name>: array}`` for every variable of the lite backbone, random."""
    rng = np.random.default_rng(seed)
    return {'MobilenetV1/' + name[len('seg/'):]: rng.normal(size=var.shape).astype(np.float32)
            for name, var in model.backbone.reference_variables().items()}


def write_checkpoint(values, prefix):
    """A TF-slim-style checkpoint of ``values`` (SaveV2, names as given)."""
    names = list(values)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[''] * len(names),
                      tensors=[tf.constant(values[n]) for n in names])
    return prefix


def write_frozen_graph(values, path):
    """A frozen GraphDef whose ``Const`` nodes carry ``values`` (plus an unrelated op)."""
    graph = graph_pb2.GraphDef()
    for name, value in values.items():
        node = graph.node.add(name=name, op='Const')
        node.attr['dtype'].type = tf.float32.as_datatype_enum
        node.attr['value'].tensor.CopyFrom(tf.make_tensor_proto(value))
    graph.node.add(name='MobilenetV1/Predictions/Softmax', op='Softmax')
    with open(path, 'wb') as f:
        f.write(graph.SerializeToString())
    return path


def init_cfg(path, **extra):
    return dict(type='Pretrained', checkpoint=path, prefix='MobilenetV1', **extra)


@pytest.mark.parametrize('fmt', ['ckpt', 'pb'])
def test_backbone_and_modulator_take_every_body_weight(tmp_path, fmt):
    model = tiny_model('lite')
    values = slim_weights(model)
    path = (write_checkpoint(values, str(tmp_path / 'w.ckpt')) if fmt == 'ckpt'
            else write_frozen_graph(values, str(tmp_path / 'w.pb')))
    backbone = init_pretrained(model.backbone, init_cfg(path), 'model.backbone.init_cfg')
    assert len(backbone.loaded) == len(values) and not backbone.missing
    np.testing.assert_array_equal(model.backbone.reference_variables()['seg/Conv2d_3_pointwise/'
                                                                       'weights'].numpy(),
                                  values['MobilenetV1/Conv2d_3_pointwise/weights'])
    visual = init_pretrained(model.visual_modulator, init_cfg(path),
                             'model.visual_modulator.init_cfg')
    assert len(visual.loaded) == len(values)
    # the modulator's own layers (hidden layer, heads) have no ImageNet counterpart
    assert visual.missing and all('Logits' in n or 'Conv2d_out' in n for n in visual.missing)
    np.testing.assert_array_equal(
        model.visual_modulator.body.reference_variables()['modulator/Conv2d_13_depthwise/'
                                                          'BatchNorm/moving_mean'].numpy(),
        values['MobilenetV1/Conv2d_13_depthwise/BatchNorm/moving_mean'])
    assert 'loaded' in visual.summary() and 'model.visual_modulator.init_cfg' in visual.summary()


def test_shape_mismatch_is_skipped_and_reported(tmp_path):
    model = tiny_model('lite')
    values = slim_weights(model)
    values['MobilenetV1/Conv2d_0/weights'] = np.zeros([3, 3, 3, 5], np.float32)
    path = write_checkpoint(values, str(tmp_path / 'w.ckpt'))
    report = init_pretrained(model.backbone, init_cfg(path), 'model.backbone.init_cfg')
    assert [m.model_name for m in report.skipped_shape] == ['Conv2d_0/weights']
    assert report.missing == ['Conv2d_0/weights']


def test_model_init_weights_applies_the_config(tmp_path):
    values = slim_weights(tiny_model('lite'))
    path = write_checkpoint(values, str(tmp_path / 'w.ckpt'))
    model = tiny_model('lite', backbone=dict(init_cfg=init_cfg(path)),
                       visual_modulator=dict(init_cfg=init_cfg(path)))
    reports = model.init_weights()
    assert sorted(reports) == ['model.backbone.init_cfg', 'model.visual_modulator.init_cfg']
    np.testing.assert_array_equal(
        model.reference_variables()['osmn/modulator/Conv2d_0/weights'].numpy(),
        values['MobilenetV1/Conv2d_0/weights'])


def test_errors_name_the_config_key(tmp_path):
    model = tiny_model('lite')
    with pytest.raises(CheckpointError, match=r'model\.backbone\.init_cfg: .*does not exist'):
        init_pretrained(model.backbone, init_cfg(str(tmp_path / 'nope.ckpt')),
                        'model.backbone.init_cfg')
    with pytest.raises(CheckpointError, match=r'model\.backbone\.init_cfg: .*does not exist'):
        init_pretrained(model.backbone, init_cfg(str(tmp_path / 'nope.pb')),
                        'model.backbone.init_cfg')
    other = write_checkpoint({'vgg_16/conv1/conv1_1/weights': np.zeros([3], np.float32)},
                             str(tmp_path / 'vgg.ckpt'))
    with pytest.raises(CheckpointError, match=r'model\.backbone\.init_cfg: no entry'):
        init_pretrained(model.backbone, init_cfg(other), 'model.backbone.init_cfg')
    garbage = tmp_path / 'garbage.pb'
    garbage.write_bytes(b'\xff' * 64)
    with pytest.raises(CheckpointError, match='not a readable frozen GraphDef'):
        init_pretrained(model.backbone, init_cfg(str(garbage)), 'model.backbone.init_cfg')
    with pytest.raises(ConfigError, match=r'model\.backbone\.init_cfg must be'):
        init_pretrained(model.backbone, dict(type='Kaiming'), 'model.backbone.init_cfg')


def test_normalization_must_match_the_weights():
    with pytest.raises(ConfigError, match=r"data\.train\.pipeline normalises with "
                                          r"mode='mean_subtract'; set mode='rgb_unit'"):
        check_normalization({'backbone': init_cfg('x')}, 'mean_subtract', 'data.train.pipeline')
    check_normalization({'backbone': init_cfg('x')}, 'rgb_unit', 'data.train.pipeline')
    check_normalization({'backbone': init_cfg('x')}, None, 'data.train.pipeline')  # not normalised
    check_normalization({'backbone': dict(init_cfg('x'), prefix='vgg_16')}, 'mean_subtract',
                        'data.train.pipeline')  # no known convention for these weights


def test_imagenet_checkpoint_fills_the_full_width_bodies():
    require(MOBILENET_WEIGHTS)
    model = tiny_model('lite', backbone=dict(width=1.0), visual_modulator=dict(width=1.0))
    report = init_pretrained(model.backbone, init_cfg(SHARED_CKPT), 'model.backbone.init_cfg')
    assert len(report.loaded) == 135 and not report.missing and not report.skipped_shape
    visual = init_pretrained(model.visual_modulator, init_cfg(SHARED_CKPT),
                             'model.visual_modulator.init_cfg')
    assert len(visual.loaded) == 135
    assert {m.model_name for m in visual.skipped_shape} == {
        'modulator/Logits/Conv2d_1c_1x1/weights', 'modulator/Logits/Conv2d_1c_1x1/biases'}


def test_frozen_stages_and_norm_eval():
    model = tiny_model('lite', backbone=dict(frozen_stages=1, norm_eval=True))
    trainable = {v.name for v in model.backbone.trainable_variables}
    frozen = [n for n, v in model.backbone.reference_variables().items()
              if not v.trainable and 'moving' not in n]
    assert frozen and all(n.split('/')[1] in ('Conv2d_0', 'Conv2d_1_depthwise',
                                              'Conv2d_1_pointwise') for n in frozen)
    assert len(frozen) == 9 and trainable
    stats = {n: v.numpy().copy() for n, v in model.backbone.reference_variables().items()
             if 'moving' in n}
    image = tf.random.normal([2, 64, 64, 3])
    model.backbone(image, training=True)
    for name, value in model.backbone.reference_variables().items():
        if 'moving' in name:  # norm_eval: statistics never move, also when training
            np.testing.assert_array_equal(value.numpy(), stats[name])
