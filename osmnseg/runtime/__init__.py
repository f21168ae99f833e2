"""Run an ONNX or LiteRT export (``tools/export.py``) on frames with numpy, Pillow and ONNX
Runtime or ai-edge-litert: no TensorFlow is imported here, nor by anything this package
imports (an import-linter contract and a test check it).

* :mod:`.manifest`: the export folder's ``osmnseg_export.json``.
* :mod:`.backends`: one graph run by ONNX Runtime or LiteRT.
* :mod:`.model`: :class:`ExportedModel`, the graphs behind the loop's calls.
* frames and guides are prepared by ``osmnseg.datasets.pipelines.inference_inputs``, the
  functions the TensorFlow path uses.
* :mod:`.core`: :class:`RuntimeCore`, one frame in, its index mask out.
* :mod:`.command`: ``python -m osmnseg.runtime EXPORT_DIR --frames DIR --mask PNG --out DIR``.
"""
