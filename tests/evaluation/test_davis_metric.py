"""DAVISMetric: two sequences processed, then computed, against figures worked out by hand."""
import pytest

from osmnseg.evaluation import GLOBAL_COLUMNS, DAVISMetric
from osmnseg.utils.errors import ConfigError, DataError

from metric_inputs import boxes, predictions, write_sequence

TOP_LEFT, BOTTOM_RIGHT = (slice(0, 4), slice(0, 4)), (slice(4, 8), slice(4, 8))
BOTH = boxes((1, *TOP_LEFT), (2, *BOTTOM_RIGHT))
BEYOND_GT = boxes((7, slice(0, 8), slice(0, 8)))  # an id the ground truth lacks: an error if scored


@pytest.fixture
def sequences(tmp_path):
    """'multi': objects 1 and 2 in 4 annotated frames; frame 1 predicted right, frame 2 loses
    object 2 (J = F = 0 there); first and last frame hold an id beyond the ground truth.
    'single' (DAVIS 2016): ids 1 and 2 side by side are one object; frame 1 predicts their union
    as id 1, which is right only once both sides are binarised."""
    multi = write_sequence(str(tmp_path), 'multi', {i: BOTH for i in range(4)}, 4)
    multi_pred = predictions({0: BEYOND_GT, 1: BOTH, 2: boxes((1, *TOP_LEFT)), 3: BEYOND_GT})
    halves = boxes((1, slice(0, 4), slice(0, 4)), (2, slice(0, 4), slice(4, 8)))
    single = write_sequence(str(tmp_path), 'single', {i: halves for i in range(3)}, 3,
                            label_threshold=0)
    union = boxes((1, slice(0, 4), slice(0, 8)))
    single_pred = predictions({0: BEYOND_GT, 1: union, 2: BEYOND_GT})
    return [(multi, multi_pred), (single, single_pred)]


def process_all(metric, sequences):
    for sequence, predicted in sequences:
        metric.process(sequence, iter(predicted))
    return metric


def test_j_and_f_per_object_and_globally(sequences):
    summary = DAVISMetric().summarize(process_all(DAVISMetric(), sequences).results)
    # per object over frames 1, 2: multi_1 J = F = [1, 1], multi_2 [1, 0], single_1 [1]
    rows = {o.name: (o.j_mean, o.j_recall, o.j_decay, o.f_mean, o.f_recall, o.f_decay)
            for o in summary.davis.objects}
    assert rows == {'multi_1': (1, 1, 0, 1, 1, 0), 'multi_2': (0.5, 0.5, 1, 0.5, 0.5, 1),
                    'single_1': (1, 1, 0, 1, 1, 0)}
    # global figures are means over the 3 objects; Decay of [1, 0] is bin 0 minus bin 3 = 1
    expected = {'J&F-Mean': 2.5 / 3, 'J-Mean': 2.5 / 3, 'J-Recall': 2.5 / 3, 'J-Decay': 1 / 3,
                'F-Mean': 2.5 / 3, 'F-Recall': 2.5 / 3, 'F-Decay': 1 / 3}
    assert summary.global_metrics == pytest.approx(expected)
    assert list(summary.global_metrics) == list(GLOBAL_COLUMNS)
    assert summary.miou is None and summary.miou_entries is None


def test_miou_entries_per_object_and_per_single_object_sequence(sequences):
    metric = process_all(DAVISMetric(metrics=['mIoU']), sequences)
    summary = metric.summarize(metric.results)
    assert summary.davis is None
    assert summary.miou_entries == {'multi_1': 1.0, 'multi_2': 0.5, 'single': 1.0}
    assert summary.miou == pytest.approx(2.5 / 3)


def test_compute_returns_the_named_figures_and_starts_over(sequences):
    metric = process_all(DAVISMetric(metrics=('J&F', 'mIoU')), sequences)
    figures = metric.compute()
    assert list(figures) == list(GLOBAL_COLUMNS) + ['mIoU']
    assert figures['J&F-Mean'] == pytest.approx(2.5 / 3)
    assert figures['mIoU'] == pytest.approx(2.5 / 3)
    assert metric.results == []
    sequence, predicted = sequences[0]
    metric.process(sequence, iter(predicted))
    assert metric.compute()['J-Mean'] == pytest.approx(0.75)  # multi alone: (1 + 0.5) / 2


def test_without_figures_nothing_is_read(sequences):
    def unread():
        raise AssertionError('a metric asked for no figures read a prediction')
        yield

    metric = DAVISMetric(metrics=())
    metric.process(sequences[0][0], unread())
    assert metric.results == [] and metric.compute() == {}


def test_jf_needs_three_annotated_frames(tmp_path):
    short = write_sequence(str(tmp_path), 'short', {0: BOTH, 1: BOTH}, 2)
    with pytest.raises(DataError, match='sequence short has 2 annotated frame'):
        DAVISMetric().process(short, iter(predictions({0: BOTH, 1: BOTH})))


@pytest.mark.parametrize('names, message', [
    (['AP'], r"unknown metric\(s\) \['AP'\]; choose from \['J', 'F', 'J&F', 'mIoU'\]"),
    ('mIoU ', r"unknown metric\(s\) \['mIoU '\]"),
])
def test_unknown_figure_names_are_config_errors(names, message):
    with pytest.raises(ConfigError, match=message):
        DAVISMetric(metrics=names)
