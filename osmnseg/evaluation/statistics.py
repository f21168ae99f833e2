"""Mean, Recall and Decay of one object's per-frame metric (official ``db_statistics``)."""
import warnings

import numpy as np

NUM_DECAY_BINS = 4


def decay_bin_edges(num_frames, num_bins=NUM_DECAY_BINS):
    """Frame indices delimiting the decay bins: ``round(linspace(1, N, num_bins + 1)) - 1``.

    Bin ``i`` covers frames ``edges[i] .. edges[i + 1]`` inclusive, so adjacent bins share their
    boundary frame. The official code casts the edges to ``uint8``, which wraps beyond 256 frames
    (the last bin becomes empty and Decay NaN); here they stay ``int64``.

    Args:
        num_frames: number of evaluated frames N (>= 1).
        num_bins: number of bins.

    Returns:
        ``[num_bins + 1] int64``.
    """
    # The 1e-10 makes exact halves round up, as in the official code (NumPy rounds half to even).
    return (np.round(np.linspace(1, num_frames, num_bins + 1) + 1e-10) - 1).astype(np.int64)


def db_statistics(per_frame_values):
    """Mean, Recall and Decay of one object's per-frame J or F values.

    Args:
        per_frame_values: ``[N] float`` per-frame metric (N >= 1), first and last frame of the
            sequence already excluded.

    Returns:
        ``(mean, recall, decay)`` floats: the NaN-ignoring mean; the fraction of frames scoring
        more than 0.5; the mean of the first of 4 temporal bins minus the mean of the last.
    """
    values = np.asarray(per_frame_values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f'per_frame_values must be a non-empty 1-D array, '
                         f'got shape {values.shape}')
    edges = decay_bin_edges(values.size)
    bins = [values[edges[i]:edges[i + 1] + 1] for i in range(NUM_DECAY_BINS)]
    with warnings.catch_warnings():  # an all-NaN bin gives NaN, as in the official code
        warnings.simplefilter('ignore', category=RuntimeWarning)
        mean = np.nanmean(values)
        decay = np.nanmean(bins[0]) - np.nanmean(bins[-1])
    recall = np.mean(values > 0.5)
    return float(mean), float(recall), float(decay)
