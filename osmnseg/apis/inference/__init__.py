"""Video inference: an array-in core and the readers and drivers around it.

* :mod:`.core`: :class:`InferenceCore` takes one ``[H, W, 3] uint8`` frame (and, when given,
  new or corrected object masks) and returns that frame's merged mask and probabilities.
* :mod:`.settings`: :class:`InferenceSettings`, how frames and guides are prepared.
* :mod:`.memory`, :mod:`.merge`: the core's per-object state and merging (its network inputs
  come from ``osmnseg.datasets.pipelines.inference_inputs``, shared with ``osmnseg.runtime``).
* :mod:`.pipeline`: frames decoded ahead and results written behind, per-stage times.
* :mod:`.reader`: frames and annotations from arrays or files.
* :mod:`.video`: :class:`VideoSegmenter`, a video through the core.
* :mod:`.finetuned`: the online fine-tuning driver (fine-tune, then the core, per object).
* :mod:`.model`: :func:`init_segmentor`.
"""
from osmnseg.apis.inference.core import InferenceCore, StepOutput
from osmnseg.apis.inference.merge import merge_scores, resize_probability
from osmnseg.apis.inference.model import init_segmentor
from osmnseg.apis.inference.settings import InferenceSettings
from osmnseg.apis.inference.video import FrameResult, VideoSegmenter

__all__ = ['InferenceCore', 'StepOutput', 'InferenceSettings', 'VideoSegmenter', 'FrameResult',
           'init_segmentor', 'merge_scores', 'resize_probability']
