"""The serving functions: the reloaded SavedModel computes what the Python model does (free
frame size, the config's guide size), and a matching model's graphs carry its memory."""
import os

import numpy as np
import tensorflow as tf

from osmnseg.apis import InferenceSettings
from osmnseg.config import Config
from osmnseg.export import build_graphs, signature_name
from osmnseg.export.exporter import export_model
from osmnseg.models import build_segmentor
from osmnseg.models.modulators.matching import MatchingMemory
from osmnseg.runtime.manifest import ExportManifest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_savedmodel_reproduces_the_python_model(tiny_models, tmp_path):
    tiny = tiny_models['osvos']
    export_model(tiny.load(), InferenceSettings.from_config(tiny.cfg), str(tmp_path))
    loaded = tf.saved_model.load(str(tmp_path))
    model = tiny.load().prepare_for_inference(xla_kernels=False)
    assert set(loaded.signatures) == {'encode_guide', 'segment_frame'}
    rng = np.random.default_rng(0)
    guide = tf.constant(rng.normal(0, 50, (2, 224, 224, 3)).astype(np.float32))
    served = loaded.signatures['encode_guide'](guide=guide)
    expected = model.encode_guide(guide)
    assert set(served) == {signature_name(layer) for layer in expected}
    for layer, value in expected.items():
        np.testing.assert_allclose(served[signature_name(layer)], value, rtol=1e-5)
    for height, width in ((32, 64), (48, 40)):  # free H, W
        image = tf.constant(rng.normal(0, 50, (2, height, width, 3)).astype(np.float32))
        spatial = tf.constant(rng.uniform(0, 1, (2, height, width, 1)).astype(np.float32))
        logits = loaded.signatures['segment_frame'](image=image, spatial_guide=spatial,
                                                    **served)['logits']
        assert logits.shape == (2, height, width, 1)
        # random weights without trained statistics: logits of ~1e22, hence a relative bound
        np.testing.assert_allclose(logits, model.segment(image, spatial, expected), rtol=1e-5)
    manifest = ExportManifest.load(str(tmp_path))
    assert manifest.format == 'savedmodel' and manifest.settings['size'] == [32, 64]


def test_guide_input_takes_the_configured_guide_size():
    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'osmn_mobilenet_v1_toyvos.py'))
    cfg.merge_from_dict({'model.backbone.width': 0.25, 'model.visual_modulator.width': 0.25})
    model = build_segmentor(cfg.model).prepare_for_inference(xla_kernels=False)
    spec = build_graphs(model, 96)['encode_guide'].input_signature[0]['guide']
    assert spec.shape.as_list() == [None, 96, 96, 3]


def test_matching_graphs_carry_the_memory_at_the_working_size(tiny_models):
    model = tiny_models['match'].load().prepare_for_inference(xla_kernels=False)
    functions = build_graphs(model, 224, (32, 64))
    assert sorted(functions) == ['embed_frame', 'track_frame']
    specs = functions['track_frame'].input_signature[0]
    assert specs['ref_embedding'].shape.as_list() == [None, 4, 8, 16]  # stride 8, D = 16
    assert specs['prev_mask'].shape.as_list() == [None, 32, 64, 1]
    rng = np.random.default_rng(0)
    image = tf.constant(rng.normal(0, 0.5, (1, 32, 64, 3)).astype(np.float32))
    embedding = functions['embed_frame']({'image': image})['embedding']
    masks = tf.constant((rng.random((2, 32, 64, 1)) > 0.5).astype(np.float32))
    references = tf.tile(embedding, [2, 1, 1, 1])
    served = functions['track_frame'](dict(image=image, ref_embedding=references,
                                           ref_mask=masks, prev_embedding=embedding,
                                           prev_mask=masks))
    expected = model.track(image, {}, MatchingMemory(references, masks, embedding, masks))
    np.testing.assert_allclose(served['logits'], expected['logits'], atol=1e-5)
    np.testing.assert_allclose(served['embedding'], embedding, atol=1e-6)
