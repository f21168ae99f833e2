"""LiteRT (TensorFlow Lite) export with TensorFlow's own converter, float32, float16 weights
or int8 post-training quantisation calibrated on representative inputs."""
import re
import warnings

import tensorflow as tf

from osmnseg.export.unsupported import unsupported_op_error
from osmnseg.utils.errors import ConfigError

_NEEDS_FLEX = re.compile(r"'tf\.(\w+)' op is neither a custom op nor a flex op")


def convert_to_tflite(name, function, path, quantize=None, samples=None):
    """Write ``function`` (of :func:`~osmnseg.export.graphs.build_graphs`) as a ``.tflite``
    file with one signature.

    Args:
        name: the graph's name (messages).
        quantize: ``None`` (float32), ``'fp16'`` (float16 weights, float32 compute where the
            CPU lacks float16) or ``'int8'`` (weights and activations; float32 inputs and
            outputs, float fallback for ops without int8 kernels).
        samples: int8: ``[{input name: array}]`` of representative inputs.

    Raises:
        ConfigError: an op LiteRT's built-in ops cannot express (the message names the op and
            the layer), or another conversion failure (its first line).
    """
    concrete = function.get_concrete_function()
    # the converter writes a signature, and reads variables, only through tracked objects
    holder = tf.Module()
    holder.function = function
    holder.captured = list(concrete.variables)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], holder)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == 'fp16':
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == 'int8':
        converter.representative_dataset = lambda: iter(samples)  # {input name: array}
    try:
        with warnings.catch_warnings():  # int8 calibration runs TF's own deprecated interpreter
            warnings.filterwarnings('ignore', r'\s*Warning: tf.lite.Interpreter is deprecated')
            flatbuffer = converter.convert()
    except Exception as err:  # the converter's errors have no common class
        needs_flex = _NEEDS_FLEX.search(str(err))
        if needs_flex:
            raise unsupported_op_error('LiteRT', name, function, needs_flex.group(1)) from err
        first_line = next((line for line in str(err).splitlines() if 'error' in line.lower()),
                          str(err).splitlines()[0] if str(err) else type(err).__name__)
        raise ConfigError(f'LiteRT conversion of {name} failed: {first_line.strip()}') from err
    with open(path, 'wb') as file:
        file.write(flatbuffer)
