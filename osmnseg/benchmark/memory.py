"""Resident memory of this process (Linux ``/proc``; ``getrusage`` elsewhere)."""
import os
import resource
import sys

_MB = 1024.0 * 1024.0


def rss_mb(statm='/proc/self/statm'):
    """Current resident set size in MiB (the peak so far where ``/proc`` is missing)."""
    if not os.path.isfile(statm):
        return peak_rss_mb()
    with open(statm, encoding='ascii') as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf('SC_PAGE_SIZE') / _MB


def peak_rss_mb():
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / _MB if sys.platform == 'darwin' else peak / 1024.0


class RssTracker:
    """Resident memory after each of a series of steps (e.g. video frames).

    ``record()`` after every step; ``growth_after(n)`` is the largest RSS seen after step ``n``
    minus the RSS right after step ``n`` (steps counted from 1), the measure of a leak once
    tracing and caches have settled.
    """

    def __init__(self):
        self.samples = []

    def record(self):
        self.samples.append(rss_mb())

    def growth_after(self, steps):
        """MiB grown after step ``steps`` (>= 1); ``None`` if no later step was recorded."""
        if steps < 1:
            raise ValueError(f'growth_after counts steps from 1, got {steps}')
        if len(self.samples) <= steps:
            return None
        return float(max(self.samples[steps:]) - self.samples[steps - 1])
