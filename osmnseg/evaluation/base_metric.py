"""The metric contract (mmengine's ``BaseMetric`` shape) that testing and validation share.

A metric is chosen by the config (``test_evaluator`` / ``val_evaluator``, or the data set's
``default_evaluator``) and built from the METRICS registry. ``process(sequence, predictions)``
scores one sequence as its predictions stream in and appends a small per-sequence record to
``results``; ``compute_metrics(results)`` turns the records into named figures; ``compute()``
does that for everything processed so far and starts over.
"""
import abc
import dataclasses

from osmnseg.utils.errors import ConfigError

FIGURE_NAMES = ('J', 'F', 'J&F', 'mIoU')
"""What a metric may be asked for (``--eval``, ``evaluation.metric``, a metric's ``metrics``):
``'J'``, ``'F'`` and ``'J&F'`` all select the DAVIS J&F protocol, ``'mIoU'`` the original OSMN
mIoU."""


@dataclasses.dataclass
class MetricSummary:
    """What a metric measured, in the form the tables, CSVs and the eval json are written from.

    Attributes:
        davis: :class:`~osmnseg.evaluation.DavisResults` (J/F per object) or ``None``.
        miou: the original OSMN mIoU (spec §8.1 / §8.2) as a fraction, or ``None``.
        miou_entries: ``{'<seq>_<id>' or '<seq>': fraction}`` behind ``miou``.
    """

    davis: object = None
    miou: float = None
    miou_entries: dict = None

    @property
    def global_metrics(self):
        """``{name: fraction}``: the official DAVIS columns (``J&F-Mean``, ...) and ``mIoU``."""
        metrics = dict(self.davis.global_metrics) if self.davis is not None else {}
        if self.miou is not None:
            metrics['mIoU'] = self.miou
        return metrics


class BaseMetric(abc.ABC):
    """Scores sequences one at a time and summarises them at the end.

    Args:
        metrics: figure names (:data:`FIGURE_NAMES`) to compute; ``None``: the class's
            ``default_metrics``; empty: compute nothing (the run only writes results).

    Attributes:
        results: the per-sequence records ``process`` appended since the last ``compute``.
    """

    default_metrics = ()
    """Figures computed when neither the config nor the command line names any."""

    def __init__(self, metrics=None):
        self.results = []
        self.metrics = ()
        self.select(self.default_metrics if metrics is None else metrics)

    def select(self, metrics):
        """Compute ``metrics`` from now on (``--eval`` / ``evaluation.metric`` win over the
        config's ``metrics``).

        Raises:
            ConfigError: a name outside :data:`FIGURE_NAMES`, or one this metric cannot compute.
        """
        metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        unknown = [m for m in metrics if m not in FIGURE_NAMES]
        if unknown:
            raise ConfigError(f'unknown metric(s) {unknown}; choose from {list(FIGURE_NAMES)}.')
        self.check_metrics(metrics)
        self.metrics = metrics

    def check_metrics(self, metrics):
        """Refuse figures this metric cannot compute (a ``ConfigError`` saying what to do)."""

    @abc.abstractmethod
    def process(self, sequence, predictions):
        """Score one sequence and append its record to ``results``.

        Args:
            sequence: a :class:`~osmnseg.datasets.sequence.VideoSequence` (its ground truth).
            predictions: iterable, consumed at most once and possibly lazily, of the sequence's
                frame results in order: objects with ``index`` (int, into
                ``sequence.frame_paths``) and ``mask`` (``[H, W] uint8`` merged object ids at
                the annotation size). A metric may stop reading early.
        """

    @abc.abstractmethod
    def summarize(self, results):
        """The :class:`MetricSummary` of the given per-sequence records."""

    def compute_metrics(self, results):
        """``{figure name: float}`` of the given per-sequence records."""
        return self.summarize(results).global_metrics

    def compute(self):
        """``{figure name: float}`` of every sequence processed so far; ``results`` is cleared."""
        figures = self.compute_metrics(self.results)
        self.results = []
        return figures

    def submission_folder(self, out_dir):
        """Where a format-only run writes its result PNGs: ``out_dir`` itself (the DAVIS
        layout) unless an evaluation server asks for another."""
        return out_dir

    def pack_submission(self, out_dir):
        """Package a format-only run's results for an evaluation server; the path of the
        package, or ``None`` where the result PNGs are what one submits."""
        return None
