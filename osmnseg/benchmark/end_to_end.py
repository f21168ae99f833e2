"""End-to-end mode (``tools/benchmark.py CONFIG --checkpoint CKPT --end-to-end``): the config's
test data set through the whole frame loop of ``tools/test.py`` (frames decoded ahead, masks
written behind into a temporary folder, no scoring), beside the model alone at the same size
and dtype in the same run; the ratio of the two is what the loop costs.

The model alone is timed in slices between the sequences, so that both figures see the same
machine: on a shared or frequency-scaling CPU the speed of either drifts by 10-20 % within a
minute, and one model-alone figure taken after the loop can land on another plateau.
"""
import math
import tempfile

from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
from osmnseg.apis.inference.pipeline import STAGES
from osmnseg.apis.test import evaluate_dataset
from osmnseg.benchmark.inference import one_object_frame_call
from osmnseg.benchmark.timing import summarize, time_calls
from osmnseg.datasets import build_dataset
from osmnseg.evaluation import build_evaluator
from osmnseg.utils.errors import ConfigError


def benchmark_end_to_end(model, cfg, split='test', frames=20, size=None):
    """End-to-end and model-alone frames/s of ``model`` on ``cfg.data[split]``.

    Args:
        model: an OSMN segmentor (weights loaded, compute dtype set).
        cfg: the config (its data set, test settings).
        split: ``'test'`` or ``'val'``.
        frames: model-alone frames in all, timed in equal slices after each sequence (at
            least 3 per slice; one untimed frame first traces the model alone's inputs).
        size: ``(H, W)`` of the model-alone frames; default: the config's test size.

    Returns:
        dict: ``end_to_end_fps`` (frames / wall time from each sequence's first frame read to
        its last PNG written, after the warm-up ``tools/test.py`` does too),
        ``model_alone_fps`` (1 / the median of the model-alone frames, one object at
        ``size``), ``end_to_end_ratio``, ``model_alone_frames``, ``stage_ms`` (ms per frame of
        each loop stage) and its ``stages`` line, ``frames_total``.

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
    sequences = dataset.sequences()
    per_slice = max(3, math.ceil(frames / max(len(sequences), 1)))
    segmenter = VideoSegmenter(model, settings)
    segmenter.warm_up()  # as tools/test.py does before its clock starts
    no_scores = build_evaluator(None, dataset, ())
    loop_seconds, loop_frames, alone_seconds, run_alone = 0.0, 0, [], None
    with tempfile.TemporaryDirectory(prefix='osmnseg_e2e_') as out_dir:
        for sequence in sequences:
            results = evaluate_dataset(segmenter, _OneSequence(sequence), out_dir=out_dir,
                                       progress=False, overwrite=True, evaluator=no_scores)
            loop_seconds += sum(results.timing.values())
            loop_frames += sum(results.num_frames.values())
            if run_alone is None:  # after the first sequence, whose first frames meet cold kernels
                run_alone = one_object_frame_call(segmenter.prepared, tuple(size),
                                                  settings.guide_size)
                run_alone()
            alone_seconds += time_calls(run_alone, per_slice)
    end_to_end_fps = loop_frames / loop_seconds
    alone_fps = 1e3 / summarize(alone_seconds)['median_ms']
    times = segmenter.times
    return dict(mode='end_to_end', size=list(size), dtype=model.compute_dtype.name,
                frames_total=loop_frames, end_to_end_fps=end_to_end_fps,
                model_alone_fps=alone_fps, model_alone_frames=len(alone_seconds),
                end_to_end_ratio=end_to_end_fps / alone_fps,
                loop_model_fps=times.model_frames_per_second,
                stage_ms={stage: 1000 * times.seconds[stage] / max(times.frames, 1)
                          for stage in STAGES}, stages=times.line())


class _OneSequence:
    """The one ``sequence`` as a data set for :func:`evaluate_dataset` (given an evaluator)."""

    def __init__(self, sequence):
        self.sequence = sequence

    def sequences(self):
        return [self.sequence]
