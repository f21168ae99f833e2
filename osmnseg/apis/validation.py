"""The evaluator a training run validates with: the test protocol on ``cfg.data.val``.

``train_segmentor`` hands it to the runner (mmengine's ValLoop + Evaluator shape); the
runner's ``EvalHook`` only decides when to call it. Scoring is the same code path as
``tools/test.py``: :func:`~osmnseg.evaluation.build_evaluator` chooses the metric,
:func:`~osmnseg.apis.test.evaluate_dataset` streams every sequence into it.
"""
from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
from osmnseg.apis.test import evaluate_dataset
from osmnseg.evaluation import build_evaluator
from osmnseg.registry import DATASETS


class DatasetEvaluator:
    """Segment ``cfg.data.val`` with the current weights and return the metric's figures.

    The metric is ``cfg.val_evaluator`` or, without one, the validation data set's
    ``default_evaluator``; it is built here, so a bad metric type or name fails when training
    starts, not at the first validation.

    Args:
        cfg: the training config (``data.val``, ``val_evaluator``, and the test pipeline /
            ``test_cfg`` that give the :class:`InferenceSettings`).
        metrics: figure names (``evaluation.metric``) that replace the metric's configured
            ones, or ``None``.
    """

    def __init__(self, cfg, metrics=None):
        self.cfg = cfg
        dataset_class = DATASETS.get(cfg.data.val.type)
        self.metric = build_evaluator(cfg.get('val_evaluator'), dataset_class, metrics,
                                      key='val_evaluator')
        self._dataset = None

    @classmethod
    def from_config(cls, cfg):
        """The evaluator of ``cfg.evaluation`` (its ``metric`` list), or None when the run
        does not validate (no ``evaluation``, or ``validate=False``)."""
        evaluation = cfg.get('evaluation')
        if not evaluation or not cfg.get('validate', True):
            return None
        return cls(cfg, evaluation.get('metric'))

    def __call__(self, model):
        """``{figure name: float}`` of ``model`` on the validation set, e.g. the official
        DAVIS columns (``J&F-Mean``, ...) and/or ``mIoU``."""
        from osmnseg.datasets import build_dataset

        if self._dataset is None:
            self._dataset = build_dataset(self.cfg.data.val, key='data.val')
        segmenter = VideoSegmenter(model, InferenceSettings.from_config(self.cfg))
        evaluate_dataset(segmenter, self._dataset, progress=False, evaluator=self.metric)
        return self.metric.compute()
