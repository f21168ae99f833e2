"""YouTubeObjectsMetric: OSMN's youtube_eval.py mIoU (every labelled frame but the first)."""
import pytest

from osmnseg.evaluation import DAVISMetric, YouTubeObjectsMetric

from metric_inputs import boxes, predictions, write_sequence

OBJECT = boxes((255, slice(0, 4), slice(0, 8)))
# a JPEG-like halo of grey 100 below the object: background for the set's labels > 127
HALO = boxes((255, slice(0, 4), slice(0, 8)), (100, slice(4, 6), slice(0, 8)))


@pytest.fixture
def sequences(tmp_path):
    """'a': labelled frames 0, 2, 3 of 4; frame 2 predicted right (its label has the halo,
    which the sequence's ``read_annotation`` drops), frame 3 half right (IoU 0.5). 'b':
    labelled frames 0, 1; frame 1 right."""
    a = write_sequence(str(tmp_path), 'a', {0: OBJECT, 2: HALO, 3: OBJECT}, 4,
                       label_threshold=127, grey=True)
    half = boxes((1, slice(0, 2), slice(0, 8)))
    a_pred = predictions({0: OBJECT, 1: OBJECT, 2: boxes((1, slice(0, 4), slice(0, 8))),
                          3: half})
    b = write_sequence(str(tmp_path), 'b', {0: OBJECT, 1: OBJECT}, 2, label_threshold=127,
                       grey=True)
    return [(a, a_pred), (b, predictions({0: OBJECT, 1: OBJECT}))]


def test_miou_is_the_default_over_every_labelled_frame_but_the_first(sequences):
    metric = YouTubeObjectsMetric()
    assert metric.metrics == ('mIoU',)
    for sequence, predicted in sequences:
        metric.process(sequence, iter(predicted))
    summary = metric.summarize(metric.results)
    assert summary.miou_entries == {'a': 0.75, 'b': 1.0}  # a: (1 + 0.5) / 2
    assert summary.miou == pytest.approx(0.875) and summary.davis is None
    assert metric.compute() == {'mIoU': pytest.approx(0.875)}


def test_the_davis_metric_drops_the_last_labelled_frame(sequences):
    metric = DAVISMetric(metrics=['mIoU'])
    for sequence, predicted in sequences:
        metric.process(sequence, iter(predicted))
    # a: frame 2 only (IoU 1, the half-right frame 3 is not scored); b: no frame between its
    # first and last labelled frame, so no entry
    assert metric.summarize(metric.results).miou_entries == {'a': 1.0}
