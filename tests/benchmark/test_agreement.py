"""Mask agreement of two compute dtypes: the three protocols on a tiny ToyVOS split."""
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.apis import init_segmentor
from osmnseg.benchmark.agreement import (LADDER_EXPONENTS, PROTOCOLS, mask_agreement,
                                         perturb_weights, round_weights)
from osmnseg.config import Config
from osmnseg.models.checkpoint import save_checkpoint

TINY_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'apis',
                           'configs', 'tiny_toyvos.py')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """``(cfg, checkpoint)``: the apis tests' tiny osvos config on a fresh ToyVOS folder and a
    checkpoint of its random weights (He-normal kernels, so masks depend on the guides)."""
    cfg = Config.fromfile(TINY_CONFIG)
    root = str(tmp_path_factory.mktemp('toyvos'))
    cfg.merge_from_dict({f'data.{split}.data_root': root for split in ('train', 'val', 'test')})
    model = init_segmentor(cfg, dtype='float32')
    rng = np.random.default_rng(0)
    for variable in model.trainable_variables:
        if variable.shape.rank == 4:
            std = np.sqrt(2.0 / np.prod(variable.shape[:3]))
            variable.assign(rng.normal(0, std, variable.shape).astype(np.float32))
    work = str(tmp_path_factory.mktemp('work'))
    return cfg, save_checkpoint(work, 1, model)


def test_float32_against_itself_agrees_on_every_frame_in_every_protocol(tiny):
    cfg, checkpoint = tiny
    result = mask_agreement(cfg, checkpoint, 'float32')
    assert result['agreement_frames'] > 0
    for protocol in PROTOCOLS:  # float32 weights rounded to float32 are the same weights
        assert result[f'{protocol}_j_min'] == 1.0
        assert result[f'{protocol}_fraction_ge_098'] == 1.0
    for exponent in LADDER_EXPONENTS:  # the ladder perturbs float32 weights too
        assert 0.0 <= result[f'perturbed_e{exponent}_fraction_ge_098'] <= 1.0


def test_bfloat16_reports_each_protocol_as_a_share_of_frames(tiny):
    cfg, checkpoint = tiny
    result = mask_agreement(cfg, checkpoint, 'bfloat16')
    assert result['dtype'] == 'bfloat16' and result['reference_dtype'] == 'float32'
    for protocol in PROTOCOLS:
        assert 0.0 <= result[f'{protocol}_j_min'] <= result[f'{protocol}_j_mean'] <= 1.0
        assert 0.0 <= result[f'{protocol}_fraction_ge_098'] <= 1.0


def test_round_weights_rounds_float32_variables_to_the_dtype():
    variable = tf.Variable([1.0 + 2 ** -12, 3.0])
    module = tf.Module()
    module.weights = [variable]
    round_weights(module, tf.bfloat16)
    np.testing.assert_array_equal(variable.numpy(), [1.0, 3.0])


def test_perturb_weights_moves_each_float32_value_by_the_relative_step_either_way():
    module = tf.Module()
    module.weights = [tf.Variable(np.full([64], 3.0, np.float32)), tf.Variable([1, 2])]
    perturb_weights(module, 10)
    ratios = module.weights[0].numpy() / 3.0
    np.testing.assert_allclose(np.abs(ratios - 1), 2.0 ** -10, rtol=1e-3)
    assert (ratios > 1).any() and (ratios < 1).any()
    np.testing.assert_array_equal(module.weights[1].numpy(), [1, 2])  # integers untouched
