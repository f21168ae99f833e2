"""Per-frame inference benchmark of a segmentor on random inputs (the VideoSegmenter's path).

Per object the visual modulator runs once (``encode_guide``); per frame one ``segment`` call of
the frame and K guides (a matching model: one ``track`` call with the K objects' memory) runs
the unmodulated layers once and the modulated rest for all K objects as one batch, exactly
what :class:`~osmnseg.apis.VideoSegmenter` does.
"""
import tensorflow as tf

from osmnseg.benchmark.flops import frame_flops, gflop, guide_flops
from osmnseg.benchmark.memory import RssTracker, peak_rss_mb
from osmnseg.benchmark.profile import op_type_times, profile_calls
from osmnseg.benchmark.timing import summarize, time_call
from osmnseg.datasets.pipelines import DEFAULT_GUIDE_SIZE
from osmnseg.models.modulators.matching import MatchingMemory

LEAK_WARMUP_FRAMES = 20  # RSS growth is measured after this many frames


def random_inputs(size, objects, seed=0, guide_size=DEFAULT_GUIDE_SIZE):
    """``(image [1,H,W,3], spatial guides [K,H,W,1], visual guides [K,S,S,3])`` float32
    (S = ``guide_size``), normalised-looking random values."""
    height, width = size
    gen = tf.random.Generator.from_seed(seed)
    return (gen.normal([1, height, width, 3], stddev=50.0),
            gen.uniform([objects, height, width, 1]),
            gen.normal([objects, guide_size, guide_size, 3], stddev=50.0))


def random_memory(model, image, masks):
    """A matching model's ``MatchingMemory`` for K objects: the frame's own embeddings as the
    annotated and previous frames', ``masks [K,H,W,1] > 0.5`` as their masks."""
    embedding = model.embed(image)
    binary = tf.cast(masks > 0.5, tf.float32)
    objects = masks.shape[0]
    return MatchingMemory(tf.tile(embedding, [objects, 1, 1, 1]), binary, embedding, binary)


def encode_objects(model, guides):
    """Visual parameters ``{layer: [K,C]}`` of K guides, one ``encode_guide`` call per object.

    Returns:
        ``(params, seconds)``: the stacked parameters and the time of each call.
    """
    per_object, seconds = [], []
    for k in range(guides.shape[0]):
        params, elapsed = time_call(
            lambda g: tf.nest.map_structure(lambda t: t.numpy(), model.encode_guide(g)),
            guides[k:k + 1])
        per_object.append(params)
        seconds.append(elapsed)
    stacked = {name: tf.concat([p[name] for p in per_object], 0) for name in per_object[0]}
    return stacked, seconds


def one_object_frame_call(model, size, guide_size=DEFAULT_GUIDE_SIZE):
    """A no-argument callable that runs one frame of one object at ``size = (H, W)`` on random
    inputs and waits for it: the frame :func:`benchmark_inference` times. ``model`` must be
    prepared for inference; the first call traces."""
    image, spatial_guides, visual_guides = random_inputs(size, 1, guide_size=guide_size)
    params, _ = encode_objects(model, visual_guides)
    return _frame_call(model, image, spatial_guides, params)


def _frame_call(model, image, spatial_guides, params):
    """One frame of K objects (``spatial_guides [K,H,W,1]``, ``params {layer: [K,C]}``) as a
    no-argument callable ending in ``.numpy()``."""
    if model.matching_modulator is not None:
        memory = random_memory(model, image, spatial_guides)
        return lambda: model.track(image, params, memory)['logits'].numpy()
    return lambda: model.segment(image, spatial_guides, params).numpy()


def benchmark_inference(model, size, objects=1, frames=10, warmup=2, peak=None,
                        peak_repeats=5, compare_objects=None, guide_size=DEFAULT_GUIDE_SIZE,
                        profile_dir=None, profile_frames=3):
    """Time ``frames`` frames of ``objects`` objects at ``size = (H, W)``.

    Args:
        model: an OSMN segmentor with its compute dtype set; it is prepared for inference
            (``model.prepare_for_inference()``, unless it is already), as the inference core
            does, and the prepared copy is timed.
        size: ``(H, W)`` of the frames.
        objects: K, objects segmented per frame.
        frames: timed frames (after ``warmup`` untimed ones; the first traces the functions).
        warmup: untimed frames, at least 1.
        peak: a :class:`~osmnseg.benchmark.peak.ConvPeak`, sampled ``peak_repeats`` times
            before the frames and once after every frame, so that both see the same load
            (``None``: no peak figures).
        peak_repeats: reference convolutions timed before the frames.
        compare_objects: also time frames with this many objects, interleaved with the
            K-object frames, and report ``objects_time_ratio`` (K-object / this time).
        guide_size: side of the square visual guides (the config's ``VisualGuide`` size).
        profile_dir: also run ``profile_frames`` more frames under TF's profiler after the
            timed ones, writing a trace there (:mod:`osmnseg.benchmark.profile`).

    Returns:
        dict of results (see docs/benchmark.md for every key).
    """
    model = model if model.inference_only else model.prepare_for_inference()
    image, spatial_guides, visual_guides = random_inputs(
        size, max(objects, compare_objects or 0), guide_size=guide_size)
    encode_objects(model, visual_guides[:1])  # trace the visual modulator
    params, guide_seconds = encode_objects(model, visual_guides)

    run_frame = _frame_call(model, image, spatial_guides[:objects],
                            {n: v[:objects] for n, v in params.items()})
    run_other = _frame_call(model, image, spatial_guides[:compare_objects],
                            {n: v[:compare_objects] for n, v in params.items()}) \
        if compare_objects else None
    tracker = RssTracker()
    first_frame_s = time_call(run_frame)[1]
    tracker.record()
    for _ in range(warmup - 1):
        run_frame()
        tracker.record()
    if run_other is not None:
        run_other()
    if peak is not None:
        peak.sample(peak_repeats)
    seconds, other_seconds = [], []
    for _ in range(frames):
        seconds.append(time_call(run_frame)[1])
        tracker.record()
        if run_other is not None:
            other_seconds.append(time_call(run_other)[1])
        if peak is not None:
            peak.sample(1)

    stats = summarize(seconds)
    frame_gflop = gflop(frame_flops(model, size, objects))
    guide = summarize(guide_seconds)
    result = dict(
        mode='inference', size=list(size), objects=objects, frames=frames, warmup=warmup,
        dtype=model.compute_dtype.name,
        frame_ms_median=stats['median_ms'], frame_ms_p90=stats['p90_ms'],
        frame_ms_mean=stats['mean_ms'], frame_ms_min=stats['min_ms'],
        fps=1e3 / stats['median_ms'], first_frame_s=first_frame_s,
        guide_ms_per_object=guide['median_ms'], guide_size=guide_size,
        guide_gflop_per_object=gflop(guide_flops(model, guide_size)),
        gflop_per_frame=frame_gflop, achieved_gflops=frame_gflop / stats['median_ms'] * 1e3,
        peak_rss_mb=peak_rss_mb(), rss_growth_mb=tracker.growth_after(LEAK_WARMUP_FRAMES))
    if other_seconds:
        other = summarize(other_seconds)['median_ms']
        result.update(compare_objects=compare_objects, compare_frame_ms_median=other,
                      objects_time_ratio=stats['median_ms'] / other)
    result.update(peak_figures(peak, result['achieved_gflops']))
    if profile_dir is not None:
        result['profile'] = profile_figures(run_frame, profile_frames, profile_dir)
    return result


def profile_figures(fn, calls, profile_dir):
    """``{'dir', 'calls', 'op_type_ms'}`` of ``calls`` calls of ``fn`` run under the profiler
    (``op_type_ms``: thread ms per call and op type, ``None`` without ``xprof``)."""
    trace = profile_calls(fn, calls, profile_dir)
    return dict(dir=trace, calls=calls, op_type_ms=op_type_times(trace, calls))


def peak_figures(peak, achieved_gflops):
    """``peak_gflops`` (measured), ``peak_fraction`` and the number of peak samples."""
    if peak is None:
        return dict(peak_gflops=None, peak_fraction=None, peak_samples=0)
    return dict(peak_gflops=peak.gflops, peak_fraction=achieved_gflops / peak.gflops,
                peak_samples=len(peak.seconds))
