"""The converters on a small convolution: float32 / fp16 / int8 LiteRT and float32 / int8 ONNX
files that run and agree with TensorFlow, the op a target cannot express named with the layer
that uses it, and a missing converter named with its extra."""
import builtins

import numpy as np
import onnx
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from osmnseg.export.to_onnx import convert_to_onnx, quantize_onnx_int8
from osmnseg.export.to_tflite import convert_to_tflite
from osmnseg.models.layers import ModulatableLayer
from osmnseg.models.modulators import matching
from osmnseg.registry import MODULATORS
from osmnseg.runtime.backends import LiteRTGraph, OnnxGraph
from osmnseg.utils.errors import ConfigError

from requirements import LITERT_EXTRA, ONNX_EXTRA, require

require(ONNX_EXTRA, LITERT_EXTRA)


@pytest.fixture(scope='module')
def conv():
    """A ``tf.function`` of one dict input ``image [N, 16, 16, 3]`` -> ``{'score'}``, and
    representative inputs."""
    kernel = tf.Variable(tf.random.stateless_normal([3, 3, 3, 4], [0, 1]))
    function = tf.function(
        lambda inputs: {'score': tf.nn.relu(tf.nn.conv2d(inputs['image'], kernel, 1, 'SAME'))},
        input_signature=[{'image': tf.TensorSpec([None, 16, 16, 3], tf.float32, name='image')}])
    rng = np.random.default_rng(0)
    samples = [{'image': rng.normal(0, 1, (1, 16, 16, 3)).astype(np.float32)}
               for _ in range(8)]
    return function, samples


def relative_error(graph, function, samples):
    feeds = samples[0]
    expected = function({'image': tf.constant(feeds['image'])})['score'].numpy()
    return np.abs(graph(feeds)['score'] - expected).max() / np.abs(expected).max()


@pytest.mark.parametrize('quantize, weight_type, bound', [(None, np.float32, 1e-6),
                                                          ('fp16', np.float16, 2e-3),
                                                          ('int8', np.int8, 5e-2)])
def test_litert_files_run_and_agree(conv, tmp_path, quantize, weight_type, bound):
    function, samples = conv
    path = str(tmp_path / 'conv.tflite')
    convert_to_tflite('conv', function, path, quantize, samples)
    kinds = {detail['dtype'] for detail in Interpreter(model_path=path).get_tensor_details()}
    assert weight_type in kinds
    assert relative_error(LiteRTGraph(path), function, samples) < bound


def test_onnx_files_run_and_agree_in_float32_and_int8(conv, tmp_path):
    function, samples = conv
    path = str(tmp_path / 'conv.onnx')
    convert_to_onnx('conv', function, path)
    assert relative_error(OnnxGraph(path), function, samples) < 1e-6
    quantize_onnx_int8(path, samples)
    assert 'QuantizeLinear' in {node.op_type for node in onnx.load(path).graph.node}
    assert relative_error(OnnxGraph(path), function, samples) < 5e-2


@pytest.mark.parametrize('converter, target', [(convert_to_onnx, 'ONNX (tf2onnx)'),
                                               (convert_to_tflite, 'LiteRT')])
def test_an_op_the_target_cannot_express_is_named_with_its_layer(monkeypatch, tmp_path,
                                                                  converter, target):
    def patches(x, window):  # the TensorFlow op neither target has
        return tf.image.extract_patches(x, [1, window, window, 1], [1, 1, 1, 1], [1, 1, 1, 1],
                                        'SAME')

    monkeypatch.setattr(matching, '_patches', patches)
    modulator = MODULATORS.build(dict(type='MatchingModulator', embed_channels=4,
                                      hidden_channels=4, local_radius=1),
                                 dict(layers=[ModulatableLayer('Conv2d_5_pointwise', 8, 8)]))
    grid = tf.TensorSpec([None, None, None, 4], tf.float32, name='embedding')
    mask = tf.TensorSpec([None, None, None, 1], tf.float32, name='mask')
    function = tf.function(lambda inputs: {'guidance': modulator(
        inputs['embedding'], matching.MatchingMemory(inputs['embedding'], inputs['mask'],
                                                     inputs['embedding'], inputs['mask']))[1]
        ['matching']}, input_signature=[{'embedding': grid, 'mask': mask}])
    with pytest.raises(ConfigError) as info:
        converter('track_frame', function, str(tmp_path / 'graph'))
    message = str(info.value)
    assert message.startswith(f'{target} cannot express the TensorFlow op ExtractImagePatches, '
                              'used by osmnseg/models/modulators/matching.py:')
    assert '(_local_matching, called from __call__)' in message and '\n' not in message


def test_a_missing_tf2onnx_names_the_extra(conv, monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_tf2onnx(name, *args, **kwargs):
        if name.split('.')[0] == 'tf2onnx':
            raise ImportError(f'No module named {name!r}')
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_tf2onnx)
    with pytest.raises(ConfigError, match=r'needs tf2onnx, which is not installed; pip install '
                                          r'"osmnseg\[onnx\]"'):
        convert_to_onnx('conv', conv[0], str(tmp_path / 'conv.onnx'))
