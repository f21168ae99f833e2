"""DatasetEvaluator: validation scores through the same metric and path as tools/test.py."""
import pytest

from osmnseg.apis.test import evaluate_dataset
from osmnseg.apis.validation import DatasetEvaluator
from osmnseg.evaluation import GLOBAL_COLUMNS, DAVISMetric
from osmnseg.utils.errors import ConfigError, RegistryError


def test_validation_figures_equal_the_test_path(toy_cfg, model, segmenter, toy_dataset):
    evaluator = DatasetEvaluator(toy_cfg, ['J', 'F', 'mIoU'])
    figures = evaluator(model)
    assert list(figures) == list(GLOBAL_COLUMNS) + ['mIoU']
    tested = evaluate_dataset(segmenter, toy_dataset, metrics=('J', 'F', 'mIoU'), progress=False)
    assert figures == tested.global_metrics
    assert evaluator(model) == figures and evaluator.metric.results == []  # starts over


def test_the_metric_comes_from_val_evaluator_or_the_data_set(toy_cfg):
    assert type(DatasetEvaluator(toy_cfg).metric) is DAVISMetric
    cfg = toy_cfg.deepcopy()
    cfg.merge_from_dict({'val_evaluator': dict(type='DAVISMetric', metrics=['mIoU'])})
    assert DatasetEvaluator(cfg).metric.metrics == ('mIoU',)
    assert DatasetEvaluator(cfg, ['J']).metric.metrics == ('J',)  # evaluation.metric wins
    del cfg['val_evaluator']
    assert DatasetEvaluator(cfg).metric.metrics == ('J', 'F')  # ToyVOS.default_evaluator


def test_bad_metric_configs_fail_when_training_starts(toy_cfg):
    cfg = toy_cfg.deepcopy()
    cfg.merge_from_dict({'val_evaluator': dict(type='JFMetric')})
    with pytest.raises(RegistryError, match="config entry 'val_evaluator': 'JFMetric' is not in "
                                            r'the metric registry \(registered: DAVISMetric, '):
        DatasetEvaluator(cfg)
    with pytest.raises(ConfigError, match=r"unknown metric\(s\) \['AP'\]"):
        DatasetEvaluator(toy_cfg, ['AP'])
