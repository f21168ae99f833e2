"""Memory benchmark: the real VideoSegmenter over a long generated video, streamed.

Frames are synthesised on the fly (textured background, K coloured ellipses moving on smooth
paths) and never stored, so any RSS growth after the first frames is the toolkit's own.
"""
import dataclasses

import numpy as np

from osmnseg.benchmark.inference import LEAK_WARMUP_FRAMES
from osmnseg.benchmark.memory import RssTracker, peak_rss_mb
from osmnseg.benchmark.timing import summarize, time_call

_COLOURS = ((230, 60, 40), (40, 200, 70), (50, 90, 230), (230, 210, 40), (200, 60, 200))


def _object_masks(index, size, objects):
    """``[K, H, W] bool`` ellipse masks of the K objects at frame ``index``."""
    height, width = size
    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    masks = []
    for k in range(objects):
        phase = index * 0.02 + k * 2.1
        centre_y = height * (0.5 + 0.25 * np.sin(phase))
        centre_x = width * (0.5 + 0.3 * np.cos(0.7 * phase + k))
        radius_y, radius_x = height * 0.12, width * 0.08
        masks.append(((rows - centre_y) / radius_y) ** 2 + ((cols - centre_x) / radius_x) ** 2 <= 1)
    return np.stack(masks)


def synthetic_frame(index, size, objects, background):
    """``([H, W, 3] uint8 frame, [H, W] uint8 index mask)`` of frame ``index``."""
    frame = np.roll(background, index, axis=1).copy()
    mask = np.zeros(size, np.uint8)
    for k, object_mask in enumerate(_object_masks(index, size, objects)):
        frame[object_mask] = _COLOURS[k % len(_COLOURS)]
        mask[object_mask] = k + 1
    return frame, mask


def synthetic_video(num_frames, size, objects=1, seed=0):
    """``(frames, first_mask)``: a generator of ``num_frames`` ``[H,W,3] uint8`` frames made on
    demand, and the ``[H, W] uint8`` index mask of frame 0 (object ids 1..K)."""
    background = np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)
    frames = (synthetic_frame(i, size, objects, background)[0] for i in range(num_frames))
    return frames, synthetic_frame(0, size, objects, background)[1]


def benchmark_video_memory(model, settings, num_frames=1000, size=(480, 854), objects=1):
    """Run :class:`~osmnseg.apis.VideoSegmenter` over a generated video and track RSS.

    Args:
        model: OSMN segmentor (compute dtype set).
        settings: :class:`~osmnseg.apis.InferenceSettings`; its ``size`` is replaced by ``size``.
        num_frames: video length.
        size: ``(H, W)`` of the frames (and working size).
        objects: K objects in the video.

    Returns:
        dict with ``rss_growth_mb`` (after the first 20 frames), ``rss_start_mb``,
        ``rss_end_mb``, ``peak_rss_mb`` and the per-frame time statistics.
    """
    from osmnseg.apis import VideoSegmenter

    frames, first_mask = synthetic_video(num_frames, size, objects)
    segmenter = VideoSegmenter(model, dataclasses.replace(settings, size=tuple(size)))
    results = segmenter.segment(frames, {0: first_mask}, object_ids=list(range(1, objects + 1)))
    tracker, seconds = RssTracker(), []
    while True:
        try:
            seconds.append(time_call(next, results)[1])
        except StopIteration:
            break
        tracker.record()
    stats = summarize(seconds[LEAK_WARMUP_FRAMES:] or seconds)
    return dict(mode='video', size=list(size), objects=objects, video_frames=num_frames,
                dtype=model.compute_dtype.name, frame_ms_median=stats['median_ms'],
                frame_ms_p90=stats['p90_ms'], fps=1e3 / stats['median_ms'],
                rss_start_mb=tracker.samples[min(LEAK_WARMUP_FRAMES, num_frames) - 1],
                rss_end_mb=tracker.samples[-1],
                rss_growth_mb=tracker.growth_after(LEAK_WARMUP_FRAMES),
                peak_rss_mb=peak_rss_mb())
