"""Options for training from scratch: He-normal kernels and a symmetric-free lite modulator."""
import numpy as np
import pytest
import tensorflow as tf
from tiny_models import make_batch, tiny_model

from osmnseg.utils.errors import BuildError


def test_he_init_redraws_kernels_but_keeps_zero_output_layers():
    model = tiny_model('osvos', init='he')
    variables = model.reference_variables()
    kernel = variables['osmn/seg/conv3/conv3_2/weights'].numpy()
    fan_in = np.prod(kernel.shape[:3])
    assert kernel.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.1)
    assert not variables['osmn/modulator/fc8/weights'].numpy().any()  # scales still start at 1
    # the frozen bilinear deconvs are not trainable and keep their fixed filters
    reference = tiny_model('osvos')
    np.testing.assert_array_equal(variables['osmn/seg/score-multi2-up/weights'].numpy(),
                                  reference.reference_variables()[
                                      'osmn/seg/score-multi2-up/weights'].numpy())
    batch = make_batch()
    params = model.encode_guide(batch['guide'])
    for scale in params.values():
        np.testing.assert_array_equal(scale.numpy(), 1.0)


def test_he_init_keeps_vgg_activations_alive():
    batch = make_batch()
    original = tiny_model('osvos')(batch, training=True)
    he = tiny_model('osvos', init='he')(batch, training=True)
    # Normal(0, 0.001) through 13 conv layers leaves ~nothing; He-normal keeps the scale
    assert float(tf.math.reduce_std(original)) < 1e-3
    assert float(tf.math.reduce_std(he)) > 1e-1


def test_unknown_init_is_a_build_error():
    with pytest.raises(BuildError, match="model.init must be 'original' or 'he'"):
        tiny_model('osvos', init='xavier')


def test_lite_hidden_init_breaks_the_symmetry_and_scales_start_at_one():
    symmetric = tiny_model('lite')
    broken = tiny_model('lite', visual_modulator=dict(hidden_init_std=0.09, momentum=0.9))
    hidden = broken.visual_modulator.logits.kernel.numpy()
    assert hidden.std() > 0.01
    assert not symmetric.visual_modulator.logits.kernel.numpy().any()
    params = broken.encode_guide(make_batch()['guide'])
    for scale in params.values():
        np.testing.assert_allclose(scale.numpy(), 1.0)
