"""The evaluator a training run validates with: the test protocol on ``cfg.data.val``.

``train_segmentor`` hands it to the runner (mmengine's ValLoop + Evaluator shape); the
runner's ``EvalHook`` only decides when to call it.
"""
from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
from osmnseg.apis.test import evaluate_dataset


class DatasetEvaluator:
    """Segment ``cfg.data.val`` with the current weights and return its global metrics.

    Args:
        cfg: the training config (``data.val``, and the test pipeline / ``test_cfg`` that give
            the :class:`InferenceSettings`).
        metrics: metric names of :func:`~osmnseg.apis.test.evaluate_dataset`.
    """

    def __init__(self, cfg, metrics=('J', 'F')):
        self.cfg = cfg
        self.metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        self._dataset = None

    @classmethod
    def from_config(cls, cfg):
        """The evaluator of ``cfg.evaluation`` (its ``metric`` list), or None when the run
        does not validate (no ``evaluation``, or ``validate=False``)."""
        evaluation = cfg.get('evaluation')
        if not evaluation or not cfg.get('validate', True):
            return None
        return cls(cfg, evaluation.get('metric', ('J', 'F')))

    def __call__(self, model):
        """``{metric name: float}``: the official DAVIS columns (``J&F-Mean``, ...) and/or
        ``mIoU`` of ``model`` on the validation set."""
        from osmnseg.datasets import build_dataset

        if self._dataset is None:
            self._dataset = build_dataset(self.cfg.data.val)
        segmenter = VideoSegmenter(model, InferenceSettings.from_config(self.cfg))
        results = evaluate_dataset(segmenter, self._dataset, metrics=self.metrics, progress=False)
        return {name: float(value) for name, value in results.global_metrics.items()}
