"""Choosing and building the metric a test or validation run scores with."""
from osmnseg.registry import METRICS
from osmnseg.utils.errors import ConfigError


def build_evaluator(evaluator_cfg, dataset, metrics=None, key='test_evaluator'):
    """Build the metric of ``evaluator_cfg``, or of the data set's ``default_evaluator``.

    ``tools/test.py`` passes ``cfg.test_evaluator`` (``--split val``: ``cfg.val_evaluator``)
    and its ``--eval`` names; validation during training passes ``cfg.val_evaluator`` and
    ``evaluation.metric``. Precedence of the figures: ``metrics`` > the config entry's
    ``metrics`` > the metric class's ``default_metrics``.

    Args:
        evaluator_cfg: ``dict(type=<METRICS name>, ...)`` or ``None`` for the data set's own.
        dataset: the data set (or its class): its ``default_evaluator`` is used when
            ``evaluator_cfg`` is ``None``, so configs without the key keep working.
        metrics: figure names that replace the configured ones, or ``None``.
        key: the config key ``evaluator_cfg`` comes from, for messages.

    Returns:
        a :class:`~osmnseg.evaluation.base_metric.BaseMetric`.

    Raises:
        ConfigError: no entry and no default, or figures the metric cannot compute.
        RegistryError: an unknown ``type`` (the message names ``key`` and lists the
            registered metrics).
    """
    if evaluator_cfg is None:
        dataset_class = dataset if isinstance(dataset, type) else type(dataset)
        if dataset_class.default_evaluator is None:
            raise ConfigError(f'the config sets no {key} and {dataset_class.__name__} declares '
                              f'no default_evaluator; set {key} = dict(type=...) with one of '
                              f'{sorted(METRICS.module_dict)}.')
        evaluator_cfg = dataset_class.default_evaluator
        key = f'{dataset_class.__name__}.default_evaluator'
    evaluator = METRICS.build(evaluator_cfg, key=key)
    if metrics is not None:
        evaluator.select(metrics)
    return evaluator
