"""ONNX export with tf2onnx (the ``onnx`` extra), optionally int8-quantised by ONNX Runtime.

``tf2onnx.convert.from_function`` keeps the constants a prepared model captures (its folded
weights) as graph *inputs* on TensorFlow 2.21; the function is therefore frozen here first
(captured values become constants) and converted with ``from_graph_def``.
"""
import contextlib
import logging
import os
import re

import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from osmnseg.export.graphs import input_names, output_names
from osmnseg.export.unsupported import unsupported_op_error
from osmnseg.runtime.backends import import_backend
from osmnseg.utils.errors import ConfigError

OPSET = 17
_UNSUPPORTED = re.compile(r'Tensorflow op \[(?P<node>[^:]+): (?P<op>\w+)\] is not supported')
_FAILED = re.compile(r"Failed to convert node '(?P<node>[^']+)'")


def require_tf2onnx():
    """The tf2onnx module (the ``onnx`` extra); a ConfigError naming the extra without it."""
    import_backend('onnx')  # onnxruntime checks the export and runs it
    try:
        import tf2onnx
    except ImportError as err:
        raise ConfigError('--format onnx needs tf2onnx, which is not installed; pip install '
                          '"osmnseg[onnx]" (or pip install -e ".[onnx]" in a checkout).') from err
    return tf2onnx


def convert_to_onnx(name, function, path):
    """Write ``function`` (of :func:`~osmnseg.export.graphs.build_graphs`) as an ONNX file.

    Raises:
        ConfigError: an op ONNX cannot express (the message names the op and the layer), or
            tf2onnx is missing.
    """
    tf2onnx = require_tf2onnx()
    with _logged_failures() as failures:
        frozen = convert_variables_to_constants_v2(function.get_concrete_function())
        inputs = [tensor.name for tensor in frozen.inputs]
        outputs = [tensor.name for tensor in frozen.outputs]
        renames = dict(zip(inputs, input_names(function)))
        renames.update(zip(outputs, output_names(function)))
        graph_def = frozen.graph.as_graph_def()
        try:
            tf2onnx.convert.from_graph_def(graph_def, name=name, input_names=inputs,
                                           output_names=outputs, opset=OPSET,
                                           tensors_to_rename=renames, output_path=path)
        except Exception as err:  # tf2onnx raises what a failing op handler raised
            error = err
        else:
            error = None
    if failures:
        op_types = {node.name: node.op for node in graph_def.node}
        raise unsupported_op_error('ONNX (tf2onnx)', name, function,
                                   failures[0][1] or op_types.get(failures[0][0], '?'))
    if error is not None:
        raise ConfigError(f'ONNX conversion of {name} failed: {error}') from error


@contextlib.contextmanager
def _logged_failures():
    """``[(node name, op type or None)]`` of the nodes tf2onnx could not convert (it logs them
    and, for ops without a handler, still writes a model). Its other messages and TensorFlow's
    deprecation warnings about the freezing it calls are kept out of the tool's output."""
    failures = []

    class Collector(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            match = _UNSUPPORTED.search(message) or _FAILED.search(message)
            if match:
                failures.append((match.group('node'), match.groupdict().get('op')))

    collector, quiet = Collector(logging.ERROR), logging.getLogger('tf2onnx')
    loggers = {logger: logger.level for logger in (quiet, tf.get_logger())}
    quiet.addHandler(collector)
    quiet.propagate = False
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield failures
    finally:
        quiet.removeHandler(collector)
        quiet.propagate = True
        for logger, level in loggers.items():
            logger.setLevel(level)


def quantize_onnx_int8(path, samples):
    """Post-training static int8 quantisation of the ONNX file ``path`` in place (QDQ format,
    per-channel weights), activation ranges calibrated on ``samples`` (``[{input: array}]``)."""
    import_backend('onnx')
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    class Samples(CalibrationDataReader):
        def __init__(self):
            self.samples = iter(samples)

        def get_next(self):
            return next(self.samples, None)

    quantized, root = path + '.int8', logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to run ONNX Runtime's pre-processing script
    try:
        quantize_static(path, quantized, Samples(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QInt8,
                        weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
    os.replace(quantized, path)
