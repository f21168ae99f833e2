"""``tools/export_savedmodel.py``: the reloaded SavedModel computes what the Python model does."""
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.apis import init_segmentor

from tool_loader import load_tool

export_tool = load_tool('export_savedmodel')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope='module')
def exported(tiny_run, tmp_path_factory):
    config, work_dir, options = tiny_run
    out_dir = str(tmp_path_factory.mktemp('export') / 'savedmodel')
    export_tool.main([config, work_dir, out_dir, '--cfg-options', *options])
    return tf.saved_model.load(out_dir), init_segmentor(config, work_dir, dtype='float32')


def test_signatures_reproduce_the_python_model(exported):
    loaded, model = exported
    rng = np.random.default_rng(0)
    guide = tf.constant(rng.normal(0, 50, (2, 224, 224, 3)).astype(np.float32))
    served = loaded.signatures['encode_guide'](guide=guide)
    expected = model.encode_guide(guide)
    assert set(served) == {export_tool.signature_name(k) for k in expected}
    for layer, value in expected.items():
        np.testing.assert_allclose(served[export_tool.signature_name(layer)], value, atol=1e-5)
    for height, width in ((32, 64), (48, 40)):  # dynamic H, W
        image = tf.constant(rng.normal(0, 50, (2, height, width, 3)).astype(np.float32))
        spatial = tf.constant(rng.uniform(0, 1, (2, height, width, 1)).astype(np.float32))
        logits = loaded.signatures['segment_frame'](image=image, spatial_guide=spatial,
                                                    **served)['logits']
        assert logits.shape == (2, height, width, 1) and logits.dtype == tf.float32
        np.testing.assert_allclose(logits, model.segment(image, spatial, expected), atol=1e-4)


def test_refuses_a_non_empty_output_folder(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    (tmp_path / 'keep.txt').write_text('x')
    with pytest.raises(SystemExit, match='not empty'):
        export_tool.main([config, work_dir, str(tmp_path), '--cfg-options', *options])


def test_guide_signature_takes_the_configured_guide_size():
    from osmnseg.config import Config
    from osmnseg.models import build_segmentor

    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'osmn_mobilenet_v1_toyvos.py'))
    cfg.merge_from_dict({'model.backbone.width': 0.25, 'model.visual_modulator.width': 0.25})
    _, signatures = export_tool.build_export_module(build_segmentor(cfg.model), 96)
    [spec] = signatures['encode_guide'].structured_input_signature[0]
    assert spec.shape.as_list() == [None, 96, 96, 3]
