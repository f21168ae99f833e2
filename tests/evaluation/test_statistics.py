"""Mean, Recall and Decay of per-frame values, including the decay bins beyond 256 frames."""
import numpy as np
import pytest

from osmnseg.evaluation.statistics import db_statistics, decay_bin_edges


def official_uint8_edges(num_frames):
    """The official code's bin edges, cast to uint8."""
    return (np.round(np.linspace(1, num_frames, 5) + 1e-10) - 1).astype(np.uint8)


def test_decay_bins_for_10_frames():
    # linspace(1, 10, 5) = 1, 3.25, 5.5, 7.75, 10 -> rounded (halves up) 1, 3, 6, 8, 10 -> minus 1
    np.testing.assert_array_equal(decay_bin_edges(10), [0, 2, 5, 7, 9])
    values = np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    mean, recall, decay = db_statistics(values)
    assert mean == pytest.approx(0.55)
    assert recall == pytest.approx(0.5)  # 1.0 .. 0.6 are > 0.5; 0.5 itself is not
    # first bin frames 0..2, last bin frames 7..9
    assert decay == pytest.approx(np.mean([1.0, 0.9, 0.8]) - np.mean([0.3, 0.2, 0.1]))


def test_decay_bins_for_300_frames_do_not_wrap():
    # linspace(1, 300, 5) = 1, 75.75, 150.5, 225.25, 300 -> 1, 76, 151, 225, 300 -> minus 1
    edges = decay_bin_edges(300)
    np.testing.assert_array_equal(edges, [0, 75, 150, 224, 299])
    assert edges.dtype == np.int64
    # the official uint8 cast wraps 299 to 43: its last bin is empty and its decay NaN
    np.testing.assert_array_equal(official_uint8_edges(300), [0, 75, 150, 224, 43])
    values = np.concatenate([np.ones(150), np.zeros(150)])
    assert db_statistics(values)[2] == pytest.approx(1.0)


def test_statistics_of_a_single_frame_and_nan():
    assert db_statistics([0.7]) == (pytest.approx(0.7), 1.0, 0.0)
    mean, _, _ = db_statistics([np.nan, 0.2, 0.4])
    assert mean == pytest.approx(0.3)
    with pytest.raises(ValueError):
        db_statistics([])
