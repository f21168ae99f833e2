"""YouTubeObjectsMetric: the YouTube-Objects score of OSMN's ``youtube_eval.py`` (spec §8.2)."""
from osmnseg.evaluation.davis_metric import DAVISMetric
from osmnseg.registry import METRICS


@METRICS.register_module()
class YouTubeObjectsMetric(DAVISMetric):
    """mIoU over every labelled frame but the first, mean per sequence, then over sequences
    (paper: 69.0). The labels are 0/255 masks that may be JPEG-compressed: the data set's
    sequences binarise them ``> 127`` (``read_annotation``); predictions are ``> 0``. J/F can
    still be asked for (DAVIS protocol on the same binarised masks).

    Args:
        metrics: as :class:`DAVISMetric`; default ``('mIoU',)``.
    """

    default_metrics = ('mIoU',)
    miou_scores_last_frame = True
