"""build_evaluator and the METRICS registry: config entry, data set default, bad configs."""
import glob
import os

import pytest

from osmnseg.config import Config
from osmnseg.datasets import DAVIS, YouTubeObjects, YouTubeVOS
from osmnseg.datasets.coco import CocoVOS
from osmnseg.evaluation import (DAVISMetric, YouTubeObjectsMetric, YouTubeVOSMetric,
                                build_evaluator)
from osmnseg.registry import DATASETS, METRICS
from osmnseg.utils.errors import BuildError, ConfigError, RegistryError

DATASET_CONFIGS = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', '_base_',
                               'datasets')


def test_registry_maps_the_metric_names_to_the_evaluation_package():
    assert METRICS.locations == ['osmnseg.evaluation']
    assert METRICS.base == 'osmnseg.evaluation.base_metric.BaseMetric'
    assert {name: cls for name, cls in METRICS.module_dict.items()} == {
        'DAVISMetric': DAVISMetric, 'YouTubeObjectsMetric': YouTubeObjectsMetric,
        'YouTubeVOSMetric': YouTubeVOSMetric}


def test_the_config_entry_wins_over_the_data_set_default():
    metric = build_evaluator(dict(type='YouTubeObjectsMetric', metrics=['J']), DAVIS)
    assert type(metric) is YouTubeObjectsMetric and metric.metrics == ('J',)


@pytest.mark.parametrize('dataset, expected', [
    (DAVIS, DAVISMetric), (YouTubeObjects, YouTubeObjectsMetric), (YouTubeVOS, YouTubeVOSMetric)])
def test_without_an_entry_the_data_set_declares_its_metric(dataset, expected):
    metric = build_evaluator(None, dataset)
    assert type(metric) is expected
    assert metric.metrics == expected.default_metrics


def test_figures_given_at_run_time_replace_the_configured_ones():
    metric = build_evaluator(dict(type='DAVISMetric', metrics=['mIoU']), DAVIS, ('J', 'F'))
    assert metric.metrics == ('J', 'F')
    assert build_evaluator(None, DAVIS, ()).metrics == ()


def test_unknown_type_names_the_key_and_lists_the_registered_metrics():
    with pytest.raises(RegistryError) as error:
        build_evaluator(dict(type='DavisMetric'), DAVIS, key='val_evaluator')
    message = str(error.value)
    assert message.startswith("config entry 'val_evaluator': 'DavisMetric' is not in the metric "
                              'registry (registered: DAVISMetric, YouTubeObjectsMetric, '
                              'YouTubeVOSMetric).')
    assert "Did you mean 'DAVISMetric'?" in message


def test_a_data_set_without_default_needs_the_config_entry():
    with pytest.raises(ConfigError, match=r"the config sets no test_evaluator and CocoVOS declares "
                                          r"no default_evaluator; set test_evaluator = "
                                          r"dict\(type=\.\.\.\) with one of \['DAVISMetric'"):
        build_evaluator(None, CocoVOS)


def test_bad_figures_fail_the_build():
    with pytest.raises(ConfigError, match=r"unknown metric\(s\) \['AP'\]"):
        build_evaluator(None, DAVIS, ['AP'])
    with pytest.raises(BuildError, match=r"building 'val_evaluator' \(.*DAVISMetric\) failed: "
                                         r"ConfigError: unknown metric\(s\) \['AP'\]"):
        build_evaluator(dict(type='DAVISMetric', metrics=['AP']), DAVIS, key='val_evaluator')
    with pytest.raises(ConfigError, match='--format-only'):
        build_evaluator(dict(type='YouTubeVOSMetric'), YouTubeVOS, ['J'])


@pytest.mark.parametrize('path', sorted(glob.glob(os.path.join(DATASET_CONFIGS, '*.py'))),
                         ids=os.path.basename)
def test_each_data_set_config_scores_with_its_data_sets_metric(path):
    cfg = Config.fromfile(path)
    for split in ('val', 'test'):
        declared = DATASETS.get(cfg.data[split].type).default_evaluator
        assert cfg.get(f'{split}_evaluator') == declared
