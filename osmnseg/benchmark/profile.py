"""Per-op profile of benchmark frames / iterations with TensorFlow's profiler.

:func:`profile_calls` runs a callable a few times between ``tf.profiler.experimental.start`` and
``stop``; the trace lands in ``<logdir>/plugins/profile/<timestamp>/`` (a new folder per run,
nothing is overwritten) and opens in TensorBoard's or xprof's profile tools.
:func:`op_type_times` reads the trace's per-op statistics back when the optional ``xprof``
package is installed (``pip install xprof``): thread time per op type per call, the table
docs/benchmark_history.md shows before and after each speed change.
"""
import collections
import glob
import json
import os

import tensorflow as tf


def profile_calls(fn, calls, logdir):
    """Run ``fn()`` ``calls`` times under the TF profiler, writing a trace into ``logdir``.

    Returns:
        the folder of the new trace (``<logdir>/plugins/profile/<timestamp>``).
    """
    before = set(_trace_folders(logdir))
    tf.profiler.experimental.start(logdir)
    try:
        for _ in range(calls):
            fn()
    finally:
        tf.profiler.experimental.stop()
    new = sorted(set(_trace_folders(logdir)) - before)
    return new[-1] if new else logdir


def op_type_times(trace_dir, calls):
    """``{op type: thread ms per call}`` of a trace (``'IDLE'``: time a thread waited), or
    ``None`` when ``xprof`` is not installed."""
    try:
        from xprof.convert import raw_to_tool_data
    except ImportError:
        return None
    paths = glob.glob(os.path.join(trace_dir, '*.xplane.pb'))
    data, _ = raw_to_tool_data.xspace_to_tool_data(paths, 'framework_op_stats',
                                                   {'use_saved_result': False})
    table = json.loads(data.decode() if isinstance(data, bytes) else data)
    table = table[0] if isinstance(table, list) else table
    columns = [c['id'] if isinstance(c, dict) else c for c in table['cols']]
    times = collections.Counter()
    for row in table['rows']:
        values = dict(zip(columns, (c['v'] if isinstance(c, dict) else c for c in row['c'])))
        times[values['type']] += float(values['total_self_time']) / calls / 1e3
    return dict(times.most_common())


def _trace_folders(logdir):
    return glob.glob(os.path.join(logdir, 'plugins', 'profile', '*'))
