"""tools/convert_checkpoint.py: an original OSMN checkpoint becomes a native work dir."""
import importlib.util
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.config import Config
from osmnseg.models import build_segmentor, load_checkpoint
from osmnseg.models.checkpoint import read_meta

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
CONFIG = os.path.join(ROOT, 'configs', '_base_', 'models', 'osmn_vgg16.py')
TINY = ['model.backbone.width=0.125', 'model.visual_modulator.width=0.125']


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'convert_checkpoint', os.path.join(ROOT, 'tools', 'convert_checkpoint.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_model():
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({'model.backbone.width': 0.125, 'model.visual_modulator.width': 0.125})
    return build_segmentor(cfg.model)


def test_convert_original_checkpoint_then_load_the_work_dir(tmp_path):
    rng = np.random.default_rng(0)
    source = tiny_model()
    tensors = {name: (v.numpy() if '-up' in name else
                      rng.standard_normal(v.shape).astype(np.float32))
               for name, v in source.reference_variables().items()}
    tensors['global_step'] = np.int64(1234)
    names = sorted(tensors)
    src = str(tmp_path / 'osmn.ckpt-1234')
    tf.raw_ops.SaveV2(prefix=src, tensor_names=names, shape_and_slices=[''] * len(names),
                      tensors=[tf.constant(tensors[n]) for n in names])
    out = str(tmp_path / 'work_dir')
    tool = load_tool()
    argv = [src, '--config', CONFIG, '--out', out, '--strict', '--cfg-options', *TINY]
    tool.main(argv)
    assert (tmp_path / 'work_dir' / 'last_checkpoint').read_text() == 'iter_1234\n'
    meta = read_meta(os.path.join(out, 'iter_1234'))
    assert meta['source_scheme'] == 'osmn' and meta['iteration'] == 1234
    assert "width=0.125" in meta['config'] and meta['import_counts']['missing'] == 0

    model = tiny_model()
    report = load_checkpoint(model, out, strict=True)
    assert report.scheme == 'osmnseg'
    for name, variable in model.reference_variables().items():
        np.testing.assert_array_equal(variable.numpy(), tensors[name], err_msg=name)

    with pytest.raises(SystemExit, match='already holds a checkpoint; pass --force'):
        tool.main(argv)
    tool.main(argv + ['--force'])
