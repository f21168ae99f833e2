"""``tools/export.py``: a SavedModel and an int8 LiteRT export (calibrated on the config's
training frames) that the runtime runs; bad arguments are one error line."""
import json
import os

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from osmnseg.datasets import build_dataset
from osmnseg.config import Config
from osmnseg.io.palette import load_index_png
from osmnseg.runtime.command import main as run_export

from requirements import LITERT_EXTRA, require
from tool_loader import load_tool

export_tool = load_tool('export')


def test_savedmodel_with_its_manifest(tiny_run, tmp_path, capsys):
    config, work_dir, options = tiny_run
    out = tmp_path / 'savedmodel'
    export_tool.main([config, work_dir, '--out', str(out), '--cfg-options', *options])
    assert 'savedmodel export with graphs encode_guide, segment_frame written to' in \
        capsys.readouterr().out
    assert (out / 'saved_model.pb').is_file()
    manifest = json.loads((out / 'osmnseg_export.json').read_text())
    assert manifest['format'] == 'savedmodel' and manifest['settings']['size'] == [32, 64]


def test_int8_litert_export_calibrated_on_training_frames_runs(tiny_run, tmp_path):
    require(LITERT_EXTRA)
    config, work_dir, options = tiny_run
    out = tmp_path / 'int8'
    export_tool.main([config, work_dir, '--format', 'tflite', '--quantize', 'int8',
                      '--calibration-frames', '4', '--out', str(out), '--cfg-options', *options])
    details = Interpreter(model_path=str(out / 'segment_frame.tflite')).get_tensor_details()
    assert np.int8 in {detail['dtype'] for detail in details}
    assert json.loads((out / 'osmnseg_export.json').read_text())['quantize'] == 'int8'
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(dict(option.split('=', 1) for option in options))
    sequence = build_dataset(cfg.data.test).sequences()[0]
    masks = tmp_path / 'masks'
    run_export([str(out), '--frames', os.path.dirname(sequence.frame_paths[0]), '--mask',
                sequence.annotation_paths[sequence.frame_names[0]], '--out', str(masks)])
    assert load_index_png(str(masks / f'{sequence.frame_names[-1]}.png')).shape == (48, 64)


@pytest.mark.parametrize('argv, message', [
    (['--format', 'onnx', '--size', '32by64'], 'error: --size 32by64 is not HxW with positive '
                                               'whole numbers; give e.g. 384x672.'),
    (['--quantize', 'fp16'], 'error: --quantize fp16 is not offered for --format savedmodel '
                             '(offered: none); choose another format or drop --quantize.'),
    (['--format', 'tflite', '--dtype', 'bfloat16'], 'error: --format tflite exports float32 '
                                                    'graphs, but the model computes in bfloat16'),
])
def test_bad_arguments_are_one_error_line(tiny_run, tmp_path, argv, message):
    config, work_dir, options = tiny_run
    with pytest.raises(SystemExit) as info:
        export_tool.main([config, work_dir, *argv, '--out', str(tmp_path / 'e'),
                          '--cfg-options', *options])
    assert str(info.value.code).startswith(message) and '\n' not in str(info.value.code)


def test_a_folder_that_is_not_empty_is_refused(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    (tmp_path / 'keep.txt').write_text('x')
    with pytest.raises(SystemExit, match=f'--out {tmp_path} exists and is not empty'):
        export_tool.main([config, work_dir, '--out', str(tmp_path), '--cfg-options', *options])
    assert os.listdir(tmp_path) == ['keep.txt']
