"""YouTubeVOSMetric: YouTube-VOS is scored by its evaluation server, so this metric packages.

The valid and test splits annotate only each object's first frame, so nothing can be scored
locally. A format-only run writes ``out_dir/Annotations/<video>/<frame>.png`` for exactly the
frames meta.json lists and zips them into ``out_dir/submission.zip`` for the server.
"""
import os
import zipfile

from osmnseg.evaluation.base_metric import BaseMetric, MetricSummary
from osmnseg.registry import METRICS
from osmnseg.utils.errors import ConfigError

SUBMISSION_FOLDER = 'Annotations'
SUBMISSION_ZIP = 'submission.zip'


@METRICS.register_module()
class YouTubeVOSMetric(BaseMetric):
    """No figures: a format-only run's results are the server's submission.

    Args:
        metrics: must stay empty (the default); YouTube-VOS has no public ground truth.
    """

    def check_metrics(self, metrics):
        if metrics:
            raise ConfigError('YouTube-VOS has no public ground truth beyond each object\'s '
                              'first frame; use --format-only and submit the zip to the '
                              'evaluation server.')

    def process(self, sequence, predictions):
        """Nothing to score; the predictions are left unread."""

    def summarize(self, results):
        return MetricSummary()

    def submission_folder(self, out_dir):
        return os.path.join(out_dir, SUBMISSION_FOLDER)

    def pack_submission(self, out_dir):
        """Zip ``out_dir/Annotations`` into ``out_dir/submission.zip``; returns its path."""
        return zip_folder(self.submission_folder(out_dir), os.path.join(out_dir, SUBMISSION_ZIP))


def zip_folder(folder, zip_path):
    """Zip ``folder`` (stored under its own name, e.g. ``Annotations/<video>/<frame>.png``)."""
    base = os.path.dirname(os.path.abspath(folder))
    with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                archive.write(path, os.path.relpath(path, base))
    return zip_path
