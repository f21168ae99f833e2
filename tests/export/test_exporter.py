"""``export_model``: what each format offers, refused with one line otherwise, and the int8
calibration inputs recorded while the frame loop segments training frames."""
import dataclasses

import numpy as np
import pytest

from osmnseg.apis import InferenceSettings, init_segmentor
from osmnseg.datasets import build_dataset
from osmnseg.export.calibration import FRAMES_PER_SEQUENCE, calibration_samples
from osmnseg.export.exporter import export_model
from osmnseg.export.graphs import build_graphs, input_names, output_names
from osmnseg.runtime.manifest import ExportManifest, GraphSpec
from osmnseg.utils.errors import ConfigError


@pytest.mark.parametrize('export_format, quantize, message', [
    ('onnx', 'fp16', '--quantize fp16 is not offered for --format onnx (offered: int8)'),
    ('savedmodel', 'int8', '--quantize int8 is not offered for --format savedmodel (offered: '
                           'none)'),
    ('tflite', 'int4', '--quantize int4 is not offered for --format tflite (offered: fp16, '
                       'int8)'),
])
def test_quantisations_a_format_lacks_are_refused(tiny_models, tmp_path, export_format,
                                                   quantize, message):
    tiny = tiny_models['osvos']
    with pytest.raises(ConfigError, match=message.replace('(', r'\(').replace(')', r'\)')):
        export_model(tiny.load(), InferenceSettings.from_config(tiny.cfg), str(tmp_path),
                     export_format, quantize)
    assert not list(tmp_path.iterdir())


def test_onnx_and_litert_need_float32_and_a_working_size(tiny_models, tmp_path):
    tiny = tiny_models['osvos']
    settings = InferenceSettings.from_config(tiny.cfg)
    bf16 = init_segmentor(tiny.cfg, tiny.work_dir, dtype='bfloat16')
    with pytest.raises(ConfigError, match='computes in bfloat16; pass --dtype float32'):
        export_model(bf16, settings, str(tmp_path), 'onnx')
    free_size = dataclasses.replace(settings, size=None)
    with pytest.raises(ConfigError, match='the config has none .* pass --size HxW'):
        export_model(tiny.load(), free_size, str(tmp_path), 'tflite')


def test_calibration_records_the_loop_inputs_of_training_frames(tiny_models):
    tiny = tiny_models['match']
    settings = InferenceSettings.from_config(tiny.cfg)
    model = tiny.load().prepare_for_inference(xla_kernels=False)
    functions = build_graphs(model, settings.guide_size, settings.size)
    manifest = ExportManifest('tflite', 'int8', True, {
        name: GraphSpec(name + '.tflite', input_names(function), output_names(function))
        for name, function in functions.items()}, dataclasses.asdict(settings))
    sequences = build_dataset(dict(tiny.cfg.data.train, test_mode=True)).sequences()
    frames = min(len(sequences[0]), FRAMES_PER_SEQUENCE)
    samples = calibration_samples(functions, manifest, sequences[:1], max_frames=100)
    objects = len(sequences[0].object_ids)
    assert len(samples['embed_frame']) == 1  # the annotated first frame
    assert len(samples['track_frame']) == frames - 1  # every later frame, all objects at once
    step = samples['track_frame'][-1]
    assert set(step) == set(input_names(functions['track_frame']))
    assert step['prev_mask'].shape == (objects, 32, 64, 1) and step['image'].shape == (1, 32, 64, 3)
    assert 0 < step['prev_mask'].mean() < 1  # propagated masks, neither empty nor full
    assert np.all(step['ref_mask'] == samples['track_frame'][0]['ref_mask'])
