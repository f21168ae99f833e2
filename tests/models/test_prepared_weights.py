"""``OSMN.prepare_for_inference``: an inference-only copy holding folded and projected weights
as constants; the same logits as deriving them on every call, a snapshot of the weights it was
made from, the trained model untouched, nothing extra saved."""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models.checkpoint import load_checkpoint, save_checkpoint
from osmnseg.models.layers import ConvBN
from osmnseg.utils.errors import ConfigError
from tiny_models import make_batch, tiny_model


def logits(model, batch):
    params = model.encode_guide(batch['guide'])
    return model.segment(batch['image'], batch['spatial_guide'], params).numpy()


def conv_bn_blocks(model):
    return [block for block in model.submodules if isinstance(block, ConvBN)]


@pytest.mark.parametrize('variant', ['lite', 'osvos'])
@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_prepared_model_gives_the_logits_of_deriving_the_weights_on_every_call(variant, dtype):
    model = tiny_model(variant)
    model.set_compute_dtype(dtype)
    prepared = model.prepare_for_inference()
    assert prepared.inference_only and prepared.compute_dtype == dtype
    blocks = conv_bn_blocks(prepared)
    assert blocks and all(block.folded[0].dtype == dtype for block in blocks)
    assert all(block.folded is None for block in conv_bn_blocks(model))  # the model unchanged
    assert any(taps is not None for taps in prepared.head.projection.taps)
    assert all(taps is None for taps in model.head.projection.taps)
    batch = make_batch(2)
    np.testing.assert_array_equal(logits(prepared, batch), logits(model, batch))


@pytest.mark.parametrize('variant', ['lite', 'match'])
def test_the_prepared_model_holds_constants_a_snapshot_of_the_weights(variant):
    model = tiny_model(variant)
    prepared = model.prepare_for_inference()
    assert not prepared.variables and model.variables
    if variant == 'match':
        assert prepared.matching_modulator is not model.matching_modulator
        return
    batch = make_batch(2)
    before = logits(prepared, batch)
    block = model.backbone.layers['Conv2d_5_pointwise']
    block.bn.gamma.assign(block.bn.gamma * 3.0)
    model.head.score.kernel.assign(model.head.score.kernel * 2.0)
    assert not np.allclose(logits(model, batch), before)  # the model reads its variables
    np.testing.assert_array_equal(logits(prepared, batch), before)  # a snapshot
    np.testing.assert_array_equal(logits(model.prepare_for_inference(), batch),
                                  logits(model, batch))  # prepared again: the new weights


def test_preparing_after_a_checkpoint_load_uses_its_weights(tmp_path):
    model, other = tiny_model('lite'), tiny_model('lite', seed=1)
    batch = make_batch(2)
    expected = logits(other.prepare_for_inference(), batch)
    assert not np.allclose(logits(model.prepare_for_inference(), batch), expected)
    load_checkpoint(model, save_checkpoint(str(tmp_path), 1, other))
    np.testing.assert_array_equal(logits(model.prepare_for_inference(), batch), expected)


def test_the_prepared_model_refuses_training_another_dtype_and_preparing_again():
    prepared = tiny_model('lite').prepare_for_inference('bfloat16')
    batch = make_batch(2)
    with pytest.raises(ConfigError, match='cannot run training passes'):
        prepared(batch, training=True)
    with pytest.raises(ConfigError, match='prepare_for_inference'):
        prepared.set_compute_dtype('float32')
    with pytest.raises(ConfigError, match='already prepared'):
        prepared.prepare_for_inference()
    with pytest.raises(ConfigError, match='not supported'):
        tiny_model('lite').prepare_for_inference('int8')


def test_prepared_weights_are_neither_model_variables_nor_saved(tmp_path):
    model = tiny_model('lite')
    names = [v.name for v in model.variables]
    model.prepare_for_inference('bfloat16')
    assert [v.name for v in model.variables] == names
    prefix = save_checkpoint(str(tmp_path), 1, model)
    saved = [name for name, _ in tf.train.list_variables(prefix)]
    assert len([n for n in saved if n.endswith('.ATTRIBUTES/VARIABLE_VALUE')
                and n.startswith('model/')]) == len(names)
