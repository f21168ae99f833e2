"""Prepared inference weights (osmnseg/models/layers/prepared.py): the logits of folding the
batch norms on every call, current after every weight write osmnseg makes, never saved."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.checkpoint import load_checkpoint, save_checkpoint
from osmnseg.models.layers import ConvBN, weights_changed
from osmnseg.models.layers.prepared import PreparedWeights
from tiny_models import make_batch, tiny_model


def logits(model, batch):
    params = model.encode_guide(batch['guide'])
    return model.segment(batch['image'], batch['spatial_guide'], params).numpy()


def folded_on_every_call(model, batch):
    """``logits`` with the prepared weights switched off (each call derives its weights)."""
    model._functions.clear()  # retrace without them
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PreparedWeights, 'current', lambda self, dtype: None)
        try:
            return logits(model, batch)
        finally:
            model._functions.clear()


@pytest.fixture
def lite():
    model = tiny_model('lite')
    model.prepare_inference_weights()
    return model


@pytest.mark.parametrize('variant', ['lite', 'osvos'])
@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_prepared_weights_give_the_logits_of_deriving_them_on_every_call(variant, dtype):
    model = tiny_model(variant)
    model.prepare_inference_weights()
    model.set_compute_dtype(dtype)
    blocks = [block for block in model.submodules if isinstance(block, ConvBN)]
    assert blocks and all(block.prepared.dtype == dtype for block in blocks)
    assert all(prepared.dtype == dtype for prepared in model.head.projection.prepared)
    batch = make_batch(2)
    np.testing.assert_array_equal(logits(model, batch), folded_on_every_call(model, batch))


def test_a_training_step_makes_the_next_inference_use_the_new_weights(lite):
    batch = make_batch(2)
    before = logits(lite, batch)
    optimizer = keras.optimizers.SGD(0.5)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = lite.loss(lite(batch, training=True), batch['label'])
        variables = lite.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    step()
    after = logits(lite, batch)
    assert not np.allclose(after, before)
    np.testing.assert_array_equal(after, folded_on_every_call(lite, batch))


def test_an_unprepared_model_derives_its_weights_in_every_call():
    model = tiny_model('lite')
    assert model.prepared_weights is None
    assert all(block.prepared is None for block in model.submodules if isinstance(block, ConvBN))
    block = model.backbone.layers['Conv2d_5_pointwise']
    batch = make_batch(2)
    before = logits(model, batch)
    block.bn.gamma.assign(block.bn.gamma * 3.0)  # no weights_changed() needed
    assert not np.allclose(logits(model, batch), before)


def test_loading_a_checkpoint_makes_the_next_inference_use_its_weights(lite, tmp_path):
    other = tiny_model('lite', seed=1)
    batch = make_batch(2)
    expected = logits(other, batch)
    assert not np.allclose(logits(lite, batch), expected)  # lite's weights are prepared now
    load_checkpoint(lite, save_checkpoint(str(tmp_path), 1, other))
    np.testing.assert_array_equal(logits(lite, batch), expected)


def test_weights_assigned_by_hand_are_used_after_weights_changed(lite):
    batch = make_batch(2)
    before = logits(lite, batch)
    block = lite.backbone.layers['Conv2d_5_pointwise']
    block.bn.gamma.assign(block.bn.gamma * 3.0)
    weights_changed()
    after = logits(lite, batch)
    assert not np.allclose(after, before)
    np.testing.assert_array_equal(after, folded_on_every_call(lite, batch))


def test_prepared_weights_are_neither_model_variables_nor_saved(lite, tmp_path):
    names = [v.name for v in lite.variables]
    assert not any('prepared' in name or 'generation' in name for name in names)
    prefix = save_checkpoint(str(tmp_path), 1, lite)
    saved = [name for name, _ in tf.train.list_variables(prefix)]
    assert not any('prepared' in name or 'generation' in name for name in saved)
    assert len([n for n in saved if n.endswith('.ATTRIBUTES/VARIABLE_VALUE')
                and n.startswith('model/')]) == len(names)
