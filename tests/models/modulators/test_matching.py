"""The matching modulator: matching maps, shapes and dtypes, K objects in one pass, training
gradients, configuration errors, and a plain OSMN-lite checkpoint refused with its remedy."""
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.checkpoint import load_checkpoint, save_checkpoint
from osmnseg.models.layers import ModulatableLayer
from osmnseg.models.modulators.matching import MatchingMemory
from osmnseg.registry import MODULATORS
from osmnseg.utils.errors import BuildError, CheckpointError, ConfigError

from tiny_models import make_matching_batch, tiny_model

LAYERS = [ModulatableLayer('Conv2d_5_pointwise', 8, 8), ModulatableLayer('Conv2d_11_pointwise',
                                                                        16, 16)]


def memory_of(model, image, masks):
    """The frame's own embeddings as annotated and previous frame, ``masks`` as their masks."""
    embedding = model.embed(image)
    objects = masks.shape[0]
    return MatchingMemory(tf.tile(embedding, [objects, 1, 1, 1]), masks, embedding, masks)


def object_masks(objects, height=64, width=96):
    masks = np.zeros([objects, height, width, 1], np.float32)
    for k in range(objects):
        masks[k, 8 * k:8 * k + 24, 10 + 16 * k:40 + 16 * k] = 1
    return tf.constant(masks)


@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_track_shapes_and_dtypes(dtype):
    model = tiny_model('match', init='he')  # activations of a usual size
    model.set_compute_dtype(dtype)
    image = tf.random.normal([1, 64, 96, 3])
    embedding = model.embed(image)
    assert embedding.shape == (1, 8, 12, 16) and embedding.dtype == tf.float32
    np.testing.assert_allclose(tf.norm(embedding, axis=-1).numpy(), 1.0, atol=2e-2)
    outputs = model.track(image, {}, memory_of(model, image, object_masks(3)))
    assert outputs['logits'].shape == (3, 64, 96, 1) and outputs['logits'].dtype == tf.float32
    np.testing.assert_allclose(outputs['embedding'].numpy(), embedding.numpy(), atol=1e-6)


def test_k_objects_in_one_pass_equal_one_call_per_object():
    model = tiny_model('match')
    image = tf.random.normal([1, 64, 96, 3])
    masks = object_masks(2)
    memory = memory_of(model, image, masks)
    together = model.track(image, {}, memory)['logits'].numpy()
    for k in range(2):
        alone = model.track(image, {}, memory_of(model, image, masks[k:k + 1]))['logits']
        np.testing.assert_allclose(together[k], alone.numpy()[0], atol=1e-4)


def test_training_pass_reaches_every_matching_weight():
    model = tiny_model('match')
    batch = make_matching_batch()
    with tf.GradientTape() as tape:
        loss = model.loss(model(batch, training=True), batch['label'])
    variables = model.matching_modulator.trainable_variables
    gradients = tape.gradient(loss, variables)
    assert all(g is not None for g in gradients)
    names = {v.name: g for v, g in zip(variables, gradients)}
    assert float(tf.reduce_sum(tf.abs(names['weights:0']))) > 0  # the embedding conv learns


def test_global_matching_takes_the_best_object_and_background_pixel():
    modulator = MODULATORS.build(dict(type='MatchingModulator', layers=LAYERS, embed_channels=2))
    left, right = [1.0, 0.0], [0.0, 1.0]
    ref = tf.constant([[[left, left, right, right]]])  # [1, 1, 4, 2]
    share = tf.constant([[[[1.0], [1.0], [0.0], [0.0]]]])  # the object is the left half
    current = tf.constant([[[left, right]]])  # [1, 1, 2, 2]
    maps = modulator._global_matching(current, ref, share).numpy()[0, 0]
    np.testing.assert_allclose(maps[0], [1.0, 0.0])  # object-like pixel: object 1, background 0
    np.testing.assert_allclose(maps[1], [0.0, 1.0])  # background-like pixel


def test_local_matching_sees_only_its_window():
    modulator = MODULATORS.build(dict(type='MatchingModulator', layers=LAYERS, embed_channels=2,
                                      local_radius=1))
    embedding = tf.tile(tf.constant([[[[1.0, 0.0]]]]), [1, 1, 5, 1])  # one row of 5 cells
    share = tf.constant([[[[1.0], [0.0], [0.0], [0.0], [0.0]]]])  # object in the first cell
    maps = modulator._local_matching(embedding, embedding, share).numpy()[0, 0]
    np.testing.assert_allclose(maps[:2, 0], 1.0)  # cells 0 and 1 have the object in reach
    assert np.all(maps[2:, 0] < -0.99)  # cells 2-4 do not
    np.testing.assert_allclose(maps[:, 1], 1.0)  # background within reach everywhere


@pytest.mark.parametrize('shape, window', [((2, 13, 7, 3), 5), ((1, 6, 11, 1), 9)])
def test_window_patches_equal_extract_patches(shape, window):
    from osmnseg.models.modulators.matching import _patches

    x = tf.random.stateless_uniform(shape, [0, 1])
    expected = tf.image.extract_patches(x, [1, window, window, 1], [1, 1, 1, 1], [1, 1, 1, 1],
                                        'SAME')
    np.testing.assert_array_equal(_patches(x, window), expected)


def test_build_errors_name_the_fix():
    with pytest.raises(BuildError, match='source_layer.*modulated_layers'):
        MODULATORS.build(dict(type='MatchingModulator', layers=LAYERS,
                              source_layer='Conv2d_7_pointwise'))
    with pytest.raises(BuildError, match='Conv2d_3_pointwise is modulated before'):
        tiny_model('match', backbone=dict(modulated_layers=(3, 5, 11, 13)),
                   visual_modulator=dict(type='MobileNetVisualModulator', width=0.25))


def test_segment_and_embed_say_which_method_fits():
    with pytest.raises(ConfigError, match='model.track'):
        tiny_model('match').segment(tf.zeros([1, 32, 32, 3]), tf.zeros([1, 32, 32, 1]), {})
    with pytest.raises(ConfigError, match='needs a matching modulator'):
        tiny_model('lite').embed(tf.zeros([1, 32, 32, 3]))


def test_plain_lite_checkpoint_is_refused_with_the_load_from_remedy(tmp_path):
    sides = ('Conv2d_1_pointwise', 'Conv2d_3_pointwise', 'Conv2d_5_pointwise',
             'Conv2d_11_pointwise', 'Conv2d_13_pointwise')  # the lite recipe's head
    plain = tiny_model('lite', head=dict(in_features=sides))
    work_dir = str(tmp_path / 'lite')
    save_checkpoint(work_dir, 1, plain)
    model = tiny_model('match')
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(model, work_dir)
    message = str(error.value)
    assert 'model.matching_modulator' in message and '--load-from' in message
    report = load_checkpoint(model, work_dir, partial=True)  # what --load-from does
    backbone = model.backbone.variables[0]
    np.testing.assert_array_equal(backbone.numpy(), plain.backbone.variables[0].numpy())
    assert any(name.startswith('osmn/modulator_match/') for name in report.missing)
    assert os.path.isfile(os.path.join(work_dir, 'last_checkpoint'))
