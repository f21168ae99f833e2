"""osmnseg.benchmark: peak micro-benchmark, timing statistics, memory, video, agreement, report."""
import json
import os
import sys

import numpy as np
import pytest

from osmnseg.benchmark import ConvPeak, measure_conv_peak, results_table, write_json
from osmnseg.benchmark.agreement import frame_agreement
from osmnseg.benchmark.memory import RssTracker, peak_rss_mb, rss_mb
from osmnseg.benchmark.peak import conv_flops
from osmnseg.benchmark.profile import op_type_times, profile_calls
from osmnseg.benchmark.timing import summarize, time_calls
from osmnseg.benchmark.video import synthetic_video

from requirements import XPROF, require

SMALL = (8, 12, 16, 16)  # a cheap reference convolution


def test_conv_flops_hand_count():
    assert conv_flops(120, 214, 256, 256) == 2 * 120 * 214 * 256 * 256 * 9


@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_measure_conv_peak_is_positive(dtype):
    assert measure_conv_peak(dtype, repeats=2, shape=SMALL) > 0


def test_conv_peak_pools_samples():
    peak = ConvPeak('float32', SMALL)
    with pytest.raises(ValueError, match='sample'):
        peak.gflops
    peak.sample(2).sample(3)
    assert len(peak.seconds) == 5
    assert peak.gflops == pytest.approx(peak.flops / np.median(peak.seconds) / 1e9)


def test_summarize_statistics():
    stats = summarize([0.001 * i for i in range(1, 11)])
    assert stats['median_ms'] == pytest.approx(5.5)
    assert stats['p90_ms'] == pytest.approx(9.1)
    assert (stats['min_ms'], stats['max_ms'], stats['n']) == (pytest.approx(1), pytest.approx(10), 10)
    with pytest.raises(ValueError):
        summarize([])


def test_time_calls_counts_calls():
    calls = []
    seconds = time_calls(lambda: calls.append(1), 4)
    assert len(seconds) == len(calls) == 4 and min(seconds) >= 0


def test_rss_figures_and_growth():
    assert rss_mb() > 0 and peak_rss_mb() > 0
    tracker = RssTracker()
    tracker.samples = [100.0, 101.0, 103.0, 102.0]
    assert tracker.growth_after(2) == pytest.approx(2.0)
    assert tracker.growth_after(4) is None
    with pytest.raises(ValueError):
        tracker.growth_after(0)


def test_synthetic_video_is_generated_lazily_with_moving_objects():
    frames, first_mask = synthetic_video(5, (48, 64), objects=2)
    assert first_mask.shape == (48, 64) and set(np.unique(first_mask)) == {0, 1, 2}
    frames = list(frames)
    assert len(frames) == 5 and frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    assert not np.array_equal(frames[0], frames[4])


def test_frame_agreement_is_mean_jaccard_over_objects():
    a = np.zeros((4, 4), np.uint8)
    b = a.copy()
    a[:2, :2] = 1          # object 1: 4 px vs 2 px overlap -> J = 0.5
    b[:2, :1] = 1
    a[3, 3] = b[3, 3] = 2  # object 2 identical -> J = 1
    assert frame_agreement(a, b, [1, 2]) == pytest.approx(0.75)
    assert frame_agreement(a, b, [3]) == 1.0  # absent in both


def test_results_table_and_json(tmp_path):
    result = dict(mode='inference', dtype='float32', frame_ms_median=12.345, fps=81.0,
                  peak_fraction=0.5, peak_gflops=None, unknown_key=1)
    table = results_table(result)
    assert 'frame time median (ms)' in table and '12.3' in table and '50.0%' in table
    assert 'measured conv peak' not in table and 'unknown_key' not in table
    path = tmp_path / 'sub' / 'result.json'
    write_json(str(path), result)
    assert json.loads(path.read_text()) == result


def test_profile_calls_writes_a_new_trace_folder_per_run(tmp_path):
    import tensorflow as tf

    conv = tf.function(lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), 1, 'SAME'))
    run = lambda: conv(tf.ones([1, 16, 16, 2])).numpy()  # noqa: E731
    first = profile_calls(run, 2, str(tmp_path))
    second = profile_calls(run, 2, str(tmp_path))
    assert first != second and os.path.isdir(first) and os.path.isdir(second)
    assert any(name.endswith('.xplane.pb') for name in os.listdir(first))


def test_op_type_times_without_xprof_is_none(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'xprof', None)  # import xprof -> ImportError
    assert op_type_times(str(tmp_path), 1) is None


def test_op_type_times_sums_thread_time_per_op_type(tmp_path):
    require(XPROF)  # xprof reads the traces (optional for users, in the test extra)
    import tensorflow as tf

    conv = tf.function(lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 8, 8]), 1, 'SAME'))
    trace = profile_calls(lambda: conv(tf.ones([1, 64, 64, 8])).numpy(), 2, str(tmp_path))
    times = op_type_times(trace, 2)
    assert any('Conv2D' in name for name in times) and all(ms >= 0 for ms in times.values())
