"""Export a trained model for serving: a TensorFlow SavedModel, or ONNX / LiteRT graphs that
the TensorFlow-free runtime (``python -m osmnseg.runtime``) runs.

* :mod:`.graphs`: the serving functions (per-object encoder, per-frame step).
* :mod:`.to_onnx`, :mod:`.to_tflite`: the converters and their quantisation.
* :mod:`.calibration`: representative inputs for int8, from training frames.
* :mod:`.unsupported`: naming an op a target cannot express and the layer using it.
* :mod:`.exporter`: :func:`export_model`, all of it into one folder with its manifest.
"""
from osmnseg.export.exporter import QUANTIZATIONS, export_model
from osmnseg.export.graphs import build_graphs, signature_name

__all__ = ['export_model', 'build_graphs', 'signature_name', 'QUANTIZATIONS']
