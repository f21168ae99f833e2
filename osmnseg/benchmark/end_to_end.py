"""End-to-end mode (``tools/benchmark.py CONFIG --checkpoint CKPT --end-to-end``): the config's
test data set through the whole frame loop of ``tools/test.py`` (frames decoded ahead, masks
written behind into a temporary folder, no scoring), beside the model alone at the same size
and dtype in the same run; the ratio of the two is what the loop costs."""
import tempfile

from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
from osmnseg.apis.inference.pipeline import STAGES
from osmnseg.apis.test import evaluate_dataset
from osmnseg.benchmark.inference import benchmark_inference
from osmnseg.datasets import build_dataset
from osmnseg.utils.errors import ConfigError


def benchmark_end_to_end(model, cfg, split='test', frames=20, warmup=2, size=None):
    """End-to-end and model-alone frames/s of ``model`` on ``cfg.data[split]``.

    Args:
        model: an OSMN segmentor (weights loaded, compute dtype set).
        cfg: the config (its data set, test settings).
        split: ``'test'`` or ``'val'``.
        frames, warmup: timed / untimed frames of the model-alone benchmark.
        size: ``(H, W)`` of the model-alone frames; default: the config's test size.

    Returns:
        dict: ``end_to_end_fps`` (frames / wall time from each sequence's first frame read to
        its last PNG written), ``model_alone_fps`` (:func:`benchmark_inference`, one object),
        ``end_to_end_ratio``, ``stage_ms`` (ms per frame of each loop stage) and its
        ``stages`` line, ``frames_total``.

    Raises:
        ConfigError: the config has no ``data.<split>`` or no test size for the model alone.
    """
    settings = InferenceSettings.from_config(cfg)
    size = size or settings.size
    if size is None:
        raise ConfigError('--end-to-end times the model alone at the config\'s test size, and '
                          'this config has none (test_cfg.size or a Resize in the test '
                          'pipeline); pass --size HxW.')
    if (cfg.get('data') or {}).get(split) is None:
        raise ConfigError(f'--end-to-end runs data.{split} of the config, which has none; add '
                          'it or choose --split.')
    dataset = build_dataset(dict(cfg.data[split], test_mode=True), key=f'data.{split}')
    segmenter = VideoSegmenter(model, settings)
    with tempfile.TemporaryDirectory(prefix='osmnseg_e2e_') as out_dir:
        results = evaluate_dataset(segmenter, dataset, out_dir=out_dir, metrics=(),
                                   progress=False)
    alone = benchmark_inference(segmenter.prepared, tuple(size), 1, frames, warmup,
                                guide_size=settings.guide_size)
    times = segmenter.times
    return dict(mode='end_to_end', size=list(size), dtype=model.compute_dtype.name,
                frames_total=sum(results.num_frames.values()),
                end_to_end_fps=results.frames_per_second, model_alone_fps=alone['fps'],
                end_to_end_ratio=results.frames_per_second / alone['fps'],
                loop_model_fps=times.model_frames_per_second,
                stage_ms={stage: 1000 * times.seconds[stage] / max(times.frames, 1)
                          for stage in STAGES}, stages=times.line())
