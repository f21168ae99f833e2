"""osmnseg.benchmark.original / compare: the patches, the loader and the ratio table.

The tests that run the original code need the ``compare`` extra (tf_slim, tf_keras) and a
checkout of linjieyangsc/video_seg: ``$OSMN_ORIGINAL_CODE`` or ``../shared/peer/video_seg`` next
to the repository; they skip, saying which is missing, otherwise (fail under
``OSMNSEG_REQUIRE=all``, tests/requirements.py).
"""
import hashlib
import os
import sys

import pytest

from osmnseg.benchmark import original
from osmnseg.benchmark.compare import compare_table
from osmnseg.utils.errors import ConfigError

from requirements import COMPARE_EXTRA, ORIGINAL_CODE as CHECKOUT, ORIGINAL_OSMN_CODE, require

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')


def test_patches_turn_python2_tf1_source_into_python3():
    source = ('import tensorflow as tf\nslim = tf.contrib.slim\n'
              "    print item.name, 'not in weights'\n    print('already a call')\n"
              '    \t    x = 1\n    up_size = [im_size[1]/2, im_size[0]/2]\n')
    text, applied = original.patch_source('model_func.py', source)
    assert text.splitlines() == [
        'import tensorflow.compat.v1 as tf', 'import tf_slim as slim',
        "    print(item.name, 'not in weights')", "    print('already a call')",
        ' ' * 12 + 'x = 1', '    up_size = [im_size[1]//2, im_size[0]//2]']
    assert len(applied) == 5 and all(line.startswith('model_func.py: ') for line in applied)
    assert original.patch_source('other.py', source) == (source, [])


def test_loss_is_cut_out_of_the_python2_file():
    text = ('import sys\n\ndef class_balanced_cross_entropy_loss(output, label):\n'
            '    return output\n\n\ndef train():\n    print "py2"\n')
    source = original._loss_only(text)
    assert 'def class_balanced_cross_entropy_loss' in source and 'py2' not in source
    with pytest.raises(ConfigError, match='class_balanced_cross_entropy_loss'):
        original._loss_only('def other():\n    pass\n')


def test_a_folder_without_the_original_code_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match='not a video_seg checkout: model_func.py'):
        with original.load_original(str(tmp_path)):
            pass


def test_compare_table_lists_ratios_loads_and_patches():
    result = dict(dtypes=['float32', 'bfloat16'], load_gauge_dtype='float32', original='/x',
                  patches=['a.py: one (1x)'], rows=[dict(
                      name='lite training step', work='train', size=[416, 416], batch_size=4,
                      original_ms=2000.0, original_ref_gflops=130.0,
                      osmnseg={'float32': dict(ms=1500.0, ref_gflops=120.0, ratio=0.75),
                               'bfloat16': dict(ms=1000.0, ref_gflops=125.0, ratio=0.5)})])
    table = compare_table(result)
    for text in ('416x416 batch 4', '2000.0', '130', '1500.0', '0.75', '0.50',
                 'osmnseg bfloat16 ms', '  - a.py: one (1x)'):
        assert text in table, text


def test_original_runs_from_a_patched_copy_and_cleans_up():
    require(COMPARE_EXTRA, ORIGINAL_OSMN_CODE)
    from tensorflow.python.framework import ops

    from osmnseg.benchmark import ConvPeak

    def digest():
        return {name: hashlib.sha1(open(os.path.join(CHECKOUT, name), 'rb').read()).hexdigest()
                for name in original.SOURCE_FILES}

    before, had_tensor = digest(), hasattr(ops, 'Tensor')
    with original.load_original(CHECKOUT) as code:
        assert any('tf_slim' in line for line in code.patches)
        timed = original.time_original_inference(code, 'lite', (32, 32), frames=1, warmup=1,
                                                 peak=ConvPeak('float32', (8, 12, 16, 16)),
                                                 peak_repeats=1)
    assert timed['frame_ms_median'] > 0 and timed['peak_gflops'] > 0
    assert digest() == before  # the checkout is never modified
    assert 'model_func' not in sys.modules and hasattr(ops, 'Tensor') == had_tensor


@pytest.mark.parametrize('base_model, config, size', [
    ('osvos', 'osmn_vgg16.py', (32, 48)), ('lite', 'osmn_mobilenet_v1.py', (64, 96))])
def test_osmnseg_logits_equal_the_original_on_its_weights(base_model, config, size, tmp_path):
    """The original's graph and osmnseg, on the same (random, saved and imported) weights and
    inputs, give the same logits: what every speed change has to keep."""
    require(COMPARE_EXTRA, ORIGINAL_OSMN_CODE)
    import numpy as np

    from osmnseg.apis import init_segmentor
    from osmnseg.config import Config

    rng = np.random.default_rng(0)
    image = rng.normal(0, 50, (1, *size, 3)).astype(np.float32)
    spatial_guide = rng.uniform(size=(1, *size, 1)).astype(np.float32)
    guide = rng.normal(0, 50, (1, 224, 224, 3)).astype(np.float32)
    checkpoint = str(tmp_path / 'osmn.ckpt')
    with original.load_original(CHECKOUT) as code:
        expected = original.original_logits(code, base_model, image, spatial_guide, guide,
                                            checkpoint)
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', '_base_', 'models', config))
    model = init_segmentor(cfg, checkpoint, dtype='float32')
    logits = model.segment(image, spatial_guide, model.encode_guide(guide)).numpy()
    scale = np.abs(expected).max()
    assert scale > 0 and np.abs(logits - expected).max() <= 1e-5 * scale
