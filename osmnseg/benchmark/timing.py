"""Wall-clock timing of repeated calls and their summary statistics."""
import time

import numpy as np


def time_call(fn, *args):
    """``(result, seconds)`` of one call of ``fn(*args)``; the caller makes ``fn`` synchronous
    (e.g. by ending it with ``.numpy()``)."""
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def time_calls(fn, repeats, *args):
    """Seconds of ``repeats`` consecutive calls of ``fn(*args)``, as a list of floats."""
    return [time_call(fn, *args)[1] for _ in range(repeats)]


def summarize(seconds):
    """Statistics of a list of durations in seconds.

    Returns:
        dict ``median_ms``, ``p90_ms``, ``mean_ms``, ``min_ms``, ``max_ms`` (floats) and ``n``.
    """
    if not len(seconds):
        raise ValueError('summarize needs at least one duration')
    ms = np.asarray(seconds, np.float64) * 1e3
    return dict(median_ms=float(np.median(ms)), p90_ms=float(np.percentile(ms, 90)),
                mean_ms=float(ms.mean()), min_ms=float(ms.min()), max_ms=float(ms.max()),
                n=int(ms.size))
