"""``python -m osmnseg.runtime``: segments a folder of frames in a process where TensorFlow
cannot be imported, writes one palette PNG per frame with TensorFlow's masks, takes grey 0/255
masks, and refuses bad input with one line; the import contract catches a TensorFlow import."""
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from osmnseg.io.palette import load_index_png
from osmnseg.runtime.command import main

from tiny_exports import mismatch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


@pytest.fixture(scope='module')
def clip(tiny_models):
    """``(frame folder, frame paths, first-frame annotation path)`` of a tiny test sequence."""
    sequence = tiny_models['osvos'].sequence()
    first = sequence.annotation_paths[sequence.frame_names[0]]
    return os.path.dirname(sequence.frame_paths[0]), sequence.frame_paths, first


def test_runs_without_tensorflow_and_writes_tensorflows_masks(tiny_models, exports, clip,
                                                               run_subprocess, tmp_path):
    folder, frames, first = clip
    log = tmp_path / 'tensorflow_imports.txt'
    env = dict(os.environ, OSMNSEG_TF_IMPORTS=str(log), PYTHONPATH=os.pathsep.join(
        [os.path.join(HERE, 'no_tensorflow'), REPO]))
    blocked = run_subprocess(['python', '-c', 'import tensorflow'], env=env, check=False)
    assert blocked.returncode == 1 and 'importing tensorflow is blocked' in blocked.stderr
    log.unlink()
    out = tmp_path / 'masks'
    result = run_subprocess(['python', '-m', 'osmnseg.runtime', exports('osvos', 'onnx'),
                             '--frames', folder, '--mask', first, '--out', out], env=env)
    assert not log.exists(), log.read_text()  # nothing even tried to import TensorFlow
    assert f'{len(frames)} frames in' in result.stdout
    names = [os.path.splitext(os.path.basename(path))[0] + '.png' for path in frames]
    assert sorted(os.listdir(out)) == names
    assert Image.open(out / names[0]).mode == 'P'
    masks = [load_index_png(str(out / name)) for name in names]
    expected = tiny_models['osvos'].tensorflow_masks(frames, load_index_png(first))
    assert mismatch(masks, expected) <= 1e-3 and len(np.unique(masks[-1])) >= 3


def test_a_grey_mask_of_another_size_is_one_object(exports, clip, tmp_path, capsys):
    folder, frames, first = clip
    grey = np.where(load_index_png(first) == 1, 255, 0).astype(np.uint8)
    mask = tmp_path / 'grey.png'
    Image.fromarray(grey).resize((128, 96), Image.NEAREST).save(mask)  # L mode, 2x the frames
    out = tmp_path / 'out'
    assert main([exports('osvos', 'onnx'), '--frames', folder, '--mask', str(mask),
                 '--out', str(out)]) == len(frames)
    assert 'is 128x96 but the frames are 64x48; it is resized' in capsys.readouterr().err
    written = load_index_png(str(out / os.listdir(out)[0]))
    assert set(np.unique(written)) == {0, 255}


def test_bad_input_is_one_error_line(exports, clip, tmp_path):
    folder, frames, first = clip
    empty = tmp_path / 'empty.png'
    Image.fromarray(np.zeros((48, 64), np.uint8)).save(empty)
    out = tmp_path / 'out'
    cases = [
        ([exports('osvos', 'onnx'), '--frames', folder, '--mask', str(empty), '--out', str(out)],
         f'error: --mask {empty} holds no object (every pixel is 0); paint the objects'),
        ([str(tmp_path), '--frames', folder, '--mask', first, '--out', str(out)],
         f'error: {tmp_path} holds no osmnseg_export.json; give a folder written by '
         'tools/export.py'),
        ([exports('osvos', 'onnx'), '--frames', str(tmp_path / 'none'), '--mask', first, '--out',
          str(out)], f'error: --frames {tmp_path / "none"} is not a folder'),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert str(info.value.code).startswith(message) and '\n' not in str(info.value.code)
    main([exports('osvos', 'onnx'), '--frames', folder, '--mask', first, '--out', str(out)])
    with pytest.raises(SystemExit, match='already holds masks of these frames; choose another '
                                         'folder or pass --overwrite'):
        main([exports('osvos', 'onnx'), '--frames', folder, '--mask', first, '--out', str(out)])


def test_the_import_contract_catches_a_tensorflow_import(run_subprocess, tmp_path):
    shutil.copytree(os.path.join(REPO, 'osmnseg'), tmp_path / 'osmnseg',
                    ignore=shutil.ignore_patterns('__pycache__'))
    core = tmp_path / 'osmnseg' / 'runtime' / 'core.py'
    core.write_text(core.read_text() + '\nimport tensorflow  # noqa\n')
    lint = ('import sys; from importlinter.cli import lint_imports; '
            'sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))')
    result = run_subprocess(['python', '-c', lint, os.path.join(REPO, '.importlinter')],
                            cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=str(tmp_path)),
                            check=False)
    assert result.returncode == 1
    assert 'osmnseg.runtime imports no TensorFlow BROKEN' in result.stdout
    assert 'osmnseg.runtime.core -> tensorflow' in result.stdout
