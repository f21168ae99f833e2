"""``export_model``: a trained model as two graphs (per-object encoder, per-frame step) in one
format, and the manifest the runtime loop reads (``osmnseg.runtime``)."""
import dataclasses
import json
import os

import tensorflow as tf

from osmnseg.apis import InferenceSettings
from osmnseg.export.calibration import calibration_samples
from osmnseg.export.graphs import build_graphs, input_names, output_names
from osmnseg.export.to_onnx import convert_to_onnx, quantize_onnx_int8, require_tf2onnx
from osmnseg.export.to_tflite import convert_to_tflite
from osmnseg.runtime.backends import import_backend
from osmnseg.runtime.manifest import FORMATS, ExportManifest, GraphSpec
from osmnseg.utils.errors import ConfigError

QUANTIZATIONS = {'onnx': ('int8',), 'tflite': ('fp16', 'int8'), 'savedmodel': ()}
EXTENSIONS = {'onnx': '.onnx', 'tflite': '.tflite'}
SAVED_MODEL_FILE = 'saved_model.pb'


def export_model(model, settings, out_dir, export_format='savedmodel', quantize=None,
                 work_size=None, calibration=None, calibration_frames=32):
    """Export ``model`` into the empty folder ``out_dir``.

    Args:
        model: an OSMN model from ``init_segmentor`` (weights loaded, compute dtype set; ONNX
            and LiteRT exports need float32).
        settings: its :class:`~osmnseg.apis.InferenceSettings` (``from_config``).
        export_format: ``'savedmodel'`` (free frame size, the compute dtype inside), ``'onnx'``
            or ``'tflite'`` (fixed working size, run by ``python -m osmnseg.runtime``).
        quantize: ``None``, ``'int8'`` (onnx, tflite) or ``'fp16'`` (tflite).
        work_size: ``(H, W)`` of the frame inputs; default: ``settings.size``.
        calibration: int8: the ``VideoSequence`` list whose first frames calibrate it.
        calibration_frames: int8: how many frames calibrate it.

    Returns:
        the :class:`~osmnseg.runtime.manifest.ExportManifest` written beside the graphs.

    Raises:
        ConfigError: a quantisation the format does not offer, a missing working size or
            converter, a dtype other than float32 for ONNX / LiteRT, or an op the format cannot
            express.
    """
    settings = _checked(model, settings, export_format, quantize, work_size)
    prepared = model.prepare_for_inference(xla_kernels=False)  # XLA kernels do not export
    fixed_size = None if export_format == 'savedmodel' else settings.size
    functions = build_graphs(prepared, settings.guide_size, fixed_size)
    manifest = ExportManifest(
        export_format, quantize, model.matching_modulator is not None,
        {name: GraphSpec(_graph_file(name, export_format), input_names(function),
                         output_names(function)) for name, function in functions.items()},
        json.loads(json.dumps(dataclasses.asdict(settings))))  # tuples -> lists
    samples = (calibration_samples(functions, manifest, calibration, calibration_frames)
               if quantize == 'int8' else {})
    if export_format == 'savedmodel':
        _save_savedmodel(prepared, functions, out_dir)
    else:
        for name, function in functions.items():
            _convert(name, function, os.path.join(out_dir, manifest.graphs[name].file),
                     export_format, quantize, samples.get(name))
    manifest.save(out_dir)
    return manifest


def _convert(name, function, path, export_format, quantize, samples):
    """Write one graph as ONNX or LiteRT, quantised when asked."""
    if export_format == 'tflite':
        convert_to_tflite(name, function, path, quantize, samples)
        return
    convert_to_onnx(name, function, path)
    if quantize == 'int8':
        quantize_onnx_int8(path, samples)


def _graph_file(name, export_format):
    """A graph's file in the export folder (a SavedModel's signatures share one)."""
    return SAVED_MODEL_FILE if export_format == 'savedmodel' else name + EXTENSIONS[export_format]


def _checked(model, settings, export_format, quantize, work_size):
    """A copy of ``settings`` with the working size of the export, after checking the
    arguments and that the format's packages are installed."""
    if export_format not in FORMATS:
        raise ConfigError(f'unknown export format {export_format!r}; use one of '
                          f'{", ".join(FORMATS)}.')
    if quantize is not None and quantize not in QUANTIZATIONS[export_format]:
        offered = ', '.join(QUANTIZATIONS[export_format]) or 'none'
        raise ConfigError(f'--quantize {quantize} is not offered for --format {export_format} '
                          f'(offered: {offered}); choose another format or drop --quantize.')
    settings = dataclasses.replace(settings)
    if export_format == 'savedmodel':
        return settings
    if model.compute_dtype != tf.float32:
        raise ConfigError(f'--format {export_format} exports float32 graphs, but the model '
                          f'computes in {model.compute_dtype.name}; pass --dtype float32 (and '
                          '--quantize for smaller graphs).')
    settings.size = tuple(work_size or settings.size or ())
    if len(settings.size) != 2:
        raise ConfigError(f'--format {export_format} fixes the working size, and the config '
                          'has none (test_cfg.size or a Resize in the test pipeline); pass '
                          '--size HxW.')
    if export_format == 'onnx':
        require_tf2onnx()
    else:
        import_backend('tflite')  # the export is checked with the runtime's interpreter
    return settings


def _save_savedmodel(prepared, functions, out_dir):
    """One SavedModel with every function as a signature (free H and W)."""
    module = tf.Module()
    module.model = prepared
    for name, function in functions.items():
        setattr(module, name, function)
    tf.saved_model.save(module, out_dir, signatures={
        name: function.get_concrete_function() for name, function in functions.items()})
