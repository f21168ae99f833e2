"""Running one exported graph with ONNX Runtime or LiteRT, without TensorFlow.

Each backend's package is an optional extra of osmnseg (``pip install "osmnseg[onnx]"`` /
``"osmnseg[litert]"``); a missing one is a one-line :class:`ConfigError` naming the extra.
"""
import importlib
import os

import numpy as np

from osmnseg.utils.errors import ConfigError, DataError

# backend -> (format it runs, extra that installs it, module that must import)
BACKENDS = {'onnx': ('onnx', 'onnx', 'onnxruntime'),
            'tflite': ('tflite', 'litert', 'ai_edge_litert.interpreter')}


def default_backend(export_format):
    """The backend that runs graphs of ``export_format`` (``'onnx'`` or ``'tflite'``).

    Raises:
        DataError: the export is a SavedModel (TensorFlow runs those, not this runtime).
    """
    for backend, (runs, _, _) in BACKENDS.items():
        if runs == export_format:
            return backend
    raise DataError(f'the export is a {export_format}; the runtime runs onnx and tflite exports '
                    '(tools/export.py --format onnx or tflite).')


def import_backend(backend):
    """The backend's Python module.

    Raises:
        ConfigError: its package is not installed (the message names the extra).
    """
    _, extra, module = BACKENDS[backend]
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ConfigError(f'the {backend} backend needs {module.split(".")[0]}, which is not '
                          f'installed; pip install "osmnseg[{extra}]" (or pip install -e '
                          f'".[{extra}]" in a checkout).') from err


class OnnxGraph:
    """An ONNX graph run by ONNX Runtime on the CPU.

    Args:
        path: the ``.onnx`` file.
        threads: intra-op threads (``None``: ONNX Runtime's default, one per core).
    """

    def __init__(self, path, threads=None):
        ort = import_backend('onnx')
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        self.outputs = [output.name for output in self.session.get_outputs()]

    def __call__(self, feeds):
        """``{output name: array}`` for ``feeds = {input name: float32 array}``."""
        return dict(zip(self.outputs, self.session.run(self.outputs, feeds)))


class LiteRTGraph:
    """A LiteRT (TensorFlow Lite) graph run by ai-edge-litert's interpreter; inputs whose
    batch differs from the last call (another number of objects) are resized.

    Args:
        path: the ``.tflite`` file (one signature).
        threads: interpreter threads (``None``: one per core).
    """

    def __init__(self, path, threads=None):
        litert = import_backend('tflite')
        self.interpreter = litert.Interpreter(model_path=path,
                                              num_threads=threads or os.cpu_count())
        self.runner = self.interpreter.get_signature_runner()

    def __call__(self, feeds):
        """``{output name: array}`` for ``feeds = {input name: float32 array}``."""
        return {name: np.array(value) for name, value in self.runner(**feeds).items()}


def load_graph(folder, spec, backend, threads=None):
    """The runnable graph of ``spec`` (:class:`~osmnseg.runtime.manifest.GraphSpec`).

    Raises:
        DataError: the graph file is missing.
    """
    path = os.path.join(folder, spec.file)
    if not os.path.isfile(path):
        raise DataError(f'{path} does not exist; the export in {folder} is incomplete, export '
                        'the model again.')
    return (OnnxGraph if backend == 'onnx' else LiteRTGraph)(path, threads)
