"""Checkpoint import: every naming scheme of spec §9, written here with tf.raw_ops.SaveV2.

Each test writes a small checkpoint with the original names and the reduced-width shapes of a
real model, imports it, and checks that every tensor lands in the right variable, that the
shape mismatches are reported, and that the model computes the same output as a model given the
same weights by direct assignment.
"""
import functools
import re

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.checkpoint import load_checkpoint, save_checkpoint
from osmnseg.models.checkpoint_import import native_variable_keys
from osmnseg.utils.errors import CheckpointError

from tiny_models import VARIANTS
from tiny_models import tiny_model as build_tiny

tiny_model = functools.lru_cache(maxsize=None)(build_tiny)  # one shared model per variant


@pytest.fixture(autouse=True, scope='module')
def eager_functions():
    """Run tf.functions eagerly: tracing costs seconds and these tests are about weights."""
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    yield
    tf.config.run_functions_eagerly(previous)


def values(model):
    return {name: v.numpy() for name, v in model.reference_variables().items()}


def write_checkpoint(prefix, tensors):
    """A name-based checkpoint as TF1's Saver wrote them: flat names, no object graph."""
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[''] * len(names),
                      tensors=[tf.constant(tensors[name]) for name in names])
    return prefix


def random_like(rng, name, shape):
    """Small random weights (finite outputs through deep nets); positive BN variances."""
    value = (0.1 * rng.standard_normal(shape)).astype(np.float32)
    return np.abs(value) + 0.5 if name.endswith('moving_variance') else value


def forward(model):
    """Logits of a fixed tiny input: guide 224x224, frame 64x64."""
    rng = np.random.default_rng(0)
    guide = tf.constant(rng.standard_normal([1, 224, 224, 3]), tf.float32)
    image = tf.constant(rng.standard_normal([1, 64, 64, 3]), tf.float32)
    spatial = tf.constant(rng.uniform(size=[1, 64, 64, 1]), tf.float32)
    return model.segment(image, spatial, model.encode_guide(guide)).numpy()


def import_and_compare(variant, tmp_path, tensors, targets):
    """Import ``tensors``, check where they landed, and compare with a direct assignment.

    Args:
        targets: ``{model_name: checkpoint_name}`` -- the expected placement.

    Returns:
        the ImportReport.
    """
    model = tiny_model(variant)
    before = values(model)
    report = load_checkpoint(model, write_checkpoint(str(tmp_path / 'ckpt'), tensors))
    imported = values(model)
    for model_name, checkpoint_name in targets.items():
        np.testing.assert_array_equal(imported[model_name], tensors[checkpoint_name],
                                      err_msg=f'{checkpoint_name} -> {model_name}')
    assert {(item.model_name, item.checkpoint_name) for item in report.loaded} == \
        set(targets.items())
    assert sorted(report.missing) == sorted(set(imported) - set(targets))
    logits = forward(model)
    # The same weights assigned by hand, without the importer, give the same output.
    for name, variable in model.reference_variables().items():
        variable.assign(tensors[targets[name]] if name in targets else before[name])
    model.reapply_fixed_weights()
    np.testing.assert_array_equal(forward(model), logits)
    return report


@pytest.mark.parametrize('variant', sorted(VARIANTS))
def test_original_osmn_checkpoint_loads_every_variable(variant, tmp_path):
    model = tiny_model(variant)
    rng = np.random.default_rng(1)
    tensors = {}
    for name, variable in model.reference_variables().items():
        # The reference wrote bilinear kernels into its checkpoints; they are re-applied anyway.
        tensors[name] = (variable.numpy() if '-up' in name else
                         random_like(rng, name, variable.shape))
    first = next(iter(tensors))
    training_state = {'global_step': np.int64(300000), f'{first}/Adam': tensors[first],
                      f'{first}/Adam_1': tensors[first], 'beta1_power': np.float32(0.9)}
    report = import_and_compare(variant, tmp_path, {**tensors, **training_state},
                                {name: name for name in tensors})
    assert report.scheme == 'osmn' and report.complete
    assert sorted(report.ignored) == sorted(training_state)


def vgg16_checkpoint(model, rng, classes=10):
    """A TF-slim ``vgg_16.ckpt`` with the model's widths (fc8 has ``classes`` outputs)."""
    tensors = {}
    for name, variable in model.reference_variables().items():
        match = re.match(r'^osmn/modulator/((conv\d/conv\d_\d|fc[67])/(weights|biases))$', name)
        if match:
            tensors[f'vgg_16/{match.group(1)}'] = random_like(rng, name, variable.shape)
    fc8 = model.reference_variables()['osmn/modulator/fc8/weights'].shape.as_list()
    tensors['vgg_16/fc8/weights'] = random_like(rng, 'fc8', fc8[:3] + [classes])
    tensors['vgg_16/fc8/biases'] = random_like(rng, 'fc8', [classes])
    tensors['global_step'] = np.int64(0)
    return tensors


@pytest.mark.parametrize('variant', ['osvos', 'deeplab', 'masktrack'])
def test_slim_vgg16_initialises_both_copies(variant, tmp_path):
    model = tiny_model(variant)
    tensors = vgg16_checkpoint(model, np.random.default_rng(2))
    names = model.reference_variables()
    targets = {}
    for checkpoint_name in tensors:
        for copy in ('osmn/modulator', 'osmn/seg'):
            model_name = checkpoint_name.replace('vgg_16', copy)
            if model_name in names and \
                    names[model_name].shape.as_list() == list(tensors[checkpoint_name].shape):
                targets[model_name] = checkpoint_name
    report = import_and_compare(variant, tmp_path, tensors, targets)
    assert report.scheme == 'slim_vgg16'
    assert 'osmn/seg/conv5/conv5_3/weights' in targets  # both copies, not only the modulator
    skipped = {item.model_name for item in report.skipped_shape}
    expected = {'osmn/modulator/fc8/weights', 'osmn/modulator/fc8/biases'}
    if variant == 'masktrack':  # 4-channel input: the kernel cannot load, its bias does
        expected.add('osmn/seg/conv1/conv1_1/weights')
        assert targets['osmn/seg/conv1/conv1_1/biases'] == 'vgg_16/conv1/conv1_1/biases'
    assert skipped == expected
    assert report.ignored == ['global_step'] and report.unexpected == []


def test_slim_mobilenet_v1_initialises_both_copies(tmp_path):
    model = tiny_model('lite')
    rng = np.random.default_rng(3)
    names = model.reference_variables()
    tensors, targets = {}, {}
    for name, variable in names.items():
        match = re.match(r'^osmn/modulator/(Conv2d_\d+\w*/.+)$', name)
        if match:
            tensors[f'MobilenetV1/{match.group(1)}'] = random_like(rng, name, variable.shape)
            targets[name] = f'MobilenetV1/{match.group(1)}'
            targets[f'osmn/seg/{match.group(1)}'] = f'MobilenetV1/{match.group(1)}'
    logits = names['osmn/modulator/Logits/Conv2d_1c_1x1/weights'].shape.as_list()
    tensors['MobilenetV1/Logits/Conv2d_1c_1x1/weights'] = random_like(rng, 'l', logits[:3] + [11])
    tensors['MobilenetV1/Logits/Conv2d_1c_1x1/biases'] = random_like(rng, 'l', [11])
    shadow = 'MobilenetV1/Conv2d_0/weights/ExponentialMovingAverage'
    tensors[shadow] = tensors['MobilenetV1/Conv2d_0/weights']
    tensors['global_step'] = np.int64(0)
    report = import_and_compare('lite', tmp_path, tensors, targets)
    assert report.scheme == 'slim_mobilenet_v1'
    assert {item.model_name for item in report.skipped_shape} == {
        'osmn/modulator/Logits/Conv2d_1c_1x1/weights', 'osmn/modulator/Logits/Conv2d_1c_1x1/biases'}
    assert sorted(report.ignored) == sorted([shadow, 'global_step'])


def test_caffe_deeplab_checkpoint_loads_convs_and_aspp(tmp_path):
    model = tiny_model('deeplab')
    rng = np.random.default_rng(4)
    tensors, targets = {}, {}
    caffe_suffix = {'weights': 'w', 'biases': 'b'}
    for name, variable in model.reference_variables().items():
        match = re.match(r'^osmn/seg/(?:conv\d/)?(conv\d_\d|fc[67]_\d)/(weights|biases)$', name)
        if match:
            checkpoint_name = f'{match.group(1)}/{caffe_suffix[match.group(2)]}'
            tensors[checkpoint_name] = random_like(rng, name, variable.shape)
            targets[name] = checkpoint_name
        elif re.match(r'^osmn/seg/fc8_voc12_\d/weights$', name):  # 21 VOC classes, not 1
            layer = name.split('/')[2]
            tensors[f'{layer}/w'] = random_like(rng, name, variable.shape.as_list()[:3] + [21])
            tensors[f'{layer}/b'] = random_like(rng, name, [21])
    tensors['fc6_1/m'] = np.zeros([1], np.float32)  # quirk 4: an unknown suffix is not guessed
    report = import_and_compare('deeplab', tmp_path, tensors, targets)
    assert report.scheme == 'deeplab'
    assert 'osmn/seg/fc6_4/weights' in targets and 'osmn/seg/conv1/conv1_1/weights' in targets
    assert len(report.skipped_shape) == 8  # fc8_voc12_1..4, weights and biases
    assert report.unexpected == ['fc6_1/m']


@pytest.mark.parametrize('variant', ['osvos', 'lite'])
def test_native_checkpoint_round_trip(variant, tmp_path):
    model, twin = tiny_model(variant), build_tiny(variant)
    rng = np.random.default_rng(5)
    for name, variable in model.reference_variables().items():
        if '-up' not in name:  # fixed bilinear kernels are re-applied after every load
            variable.assign(random_like(rng, name, variable.shape))
    prefix = save_checkpoint(str(tmp_path), 3, model, {}, step=tf.Variable(3))
    # The report relies on knowing each variable's object-graph key.
    stored = {key for key, _ in tf.train.list_variables(prefix) if key.startswith('model/')}
    assert set(native_variable_keys(model, tf.train.load_checkpoint(prefix)).values()) == stored
    report = load_checkpoint(twin, str(tmp_path), strict=True)
    assert report.scheme == 'osmnseg' and report.complete and report.path == prefix
    assert len(report.loaded) == len(model.reference_variables())
    for name, value in values(model).items():
        np.testing.assert_array_equal(twin.reference_variables()[name].numpy(), value)
    np.testing.assert_array_equal(forward(model), forward(twin))


def test_training_checkpoint_reports_every_restored_variable_as_loaded(tmp_path):
    """With the optimizer saved too, trainable variables are stored under optimizer/... keys."""
    model, twin = tiny_model('osvos'), build_tiny('osvos')
    optimizer = tf.keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    prefix = save_checkpoint(str(tmp_path), 2, model, {}, optimizer=optimizer)
    assert any(key.startswith('optimizer/') and 'OPTIMIZER_SLOT' not in key
               for key, _ in tf.train.list_variables(prefix))
    report = load_checkpoint(twin, str(tmp_path))
    assert report.missing == [] and report.unexpected == []
    assert len(report.loaded) == len(twin.reference_variables())
    for name, value in values(model).items():
        np.testing.assert_array_equal(twin.reference_variables()[name].numpy(), value)


def test_summary_lists_counts_and_first_names(tmp_path):
    model = tiny_model('osvos')
    tensors = vgg16_checkpoint(model, np.random.default_rng(6))
    report = load_checkpoint(model, write_checkpoint(str(tmp_path / 'vgg'), tensors))
    table = report.summary()
    assert 'TF-slim VGG16' in table and str(tmp_path / 'vgg') in table
    row = next(line for line in table.splitlines() if line.startswith('| loaded '))
    assert f'| {len(report.loaded)} ' in row
    assert 'vgg_16/fc8/biases [10] -> osmn/modulator/fc8/biases' in table
    assert f'(+{len(report.missing) - 3} more)' in table


def test_missing_and_unreadable_files_name_the_path(tmp_path):
    model = tiny_model('osvos')
    missing = str(tmp_path / 'vgg_16.ckpt')
    with pytest.raises(CheckpointError, match=f'no checkpoint at {missing}'):
        load_checkpoint(model, missing)
    garbage = tmp_path / 'garbage.ckpt'
    garbage.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CheckpointError, match=f'checkpoint {garbage} cannot be opened'):
        load_checkpoint(model, str(garbage))


def test_wrong_variant_and_unknown_scheme_are_errors(tmp_path):
    lite, osvos = tiny_model('lite'), tiny_model('osvos')
    vgg = write_checkpoint(str(tmp_path / 'vgg'),
                           vgg16_checkpoint(osvos, np.random.default_rng(7)))
    with pytest.raises(CheckpointError, match='is a TF-slim VGG16 checkpoint but none of its'):
        load_checkpoint(lite, vgg)
    other = write_checkpoint(str(tmp_path / 'resnet'), {'resnet_v1_50/conv1/weights': np.ones(
        [1], np.float32)})
    with pytest.raises(CheckpointError, match='none of the known naming schemes'):
        load_checkpoint(osvos, other)


def test_strict_refuses_an_incomplete_import_and_leaves_the_model_alone(tmp_path):
    model = tiny_model('osvos')
    before = values(model)
    tensors = vgg16_checkpoint(model, np.random.default_rng(8))
    with pytest.raises(CheckpointError, match='strict loading of .* failed'):
        load_checkpoint(model, write_checkpoint(str(tmp_path / 'vgg'), tensors), strict=True)
    for name, value in values(model).items():
        np.testing.assert_array_equal(value, before[name])
