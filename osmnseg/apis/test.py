"""Data-set-level testing: segment every sequence, write what was asked for, score it.

Used by ``tools/test.py`` and by validation during training (``apis.validation``, which writes
nothing). Frames are streamed: decoded ahead in one thread, written behind in another
(:mod:`osmnseg.apis.inference.pipeline`); a sequence's merged masks are kept for scoring after
its timed part when a metric is computed (at the annotation size, e.g. 0.4 MB per 480p frame).

Output layouts (all at the data set's original annotation resolution):

* ``out_dir/<seq>/<frame>.png``: merged palette PNGs for exactly the sequence's ``eval_frames``
  (the official DAVIS result layout; frame 0 is its ground truth, frame-sized, quirk 8).
* ``format_only`` for a set its evaluator packages for a server (YouTube-VOS):
  ``out_dir/Annotations/<video>/<frame>.png`` for exactly the frames listed in meta.json,
  zipped into ``out_dir/submission.zip``.
* ``save_score``: ``out_dir/<seq>/<obj_id>/<frame>.npy`` per-object probabilities (an object's
  own first frame holds its ground truth as 0/1; single-object sets use id 1).
* ``show_dir/<seq>/<frame>.png`` overlays and ``show_dir/<seq>.gif``.
"""
import dataclasses
import os
import time

import numpy as np
from tqdm import tqdm

from osmnseg.apis.inference import FrameResult, InferenceSettings, VideoSegmenter
from osmnseg.apis.inference.pipeline import WriteBehind
from osmnseg.apis.visualization import save_overlay
from osmnseg.evaluation import MetricSummary, build_evaluator
from osmnseg.io.images import read_image
from osmnseg.io.palette import save_palette_png
from osmnseg.io.video import write_gif
from osmnseg.utils.errors import ConfigError, OutputError
from osmnseg.utils.paths import check_writable_dir

RESULT_EXTENSIONS = ('.png', '.npy', '.gif', '.zip', '.mp4')
SCORE_DTYPES = ('float32', 'float16')


@dataclasses.dataclass
class TestResults(MetricSummary):
    """What :func:`evaluate_dataset` measured: the evaluator's summary (``davis``, ``miou``,
    ``miou_entries``, ``global_metrics``, see :class:`~osmnseg.evaluation.MetricSummary`) and
    the time it took.

    Attributes:
        timing: ``{sequence: seconds}`` of segmenting (and writing) each sequence, from the
            first frame read to the last result written (scoring excluded).
        num_frames: ``{sequence: frames segmented}``.
        scoring_seconds: time spent scoring the results (J, F, mIoU), outside ``timing``.
    """

    timing: dict = dataclasses.field(default_factory=dict)
    num_frames: dict = dataclasses.field(default_factory=dict)
    scoring_seconds: float = 0.0

    @property
    def frames_per_second(self):
        seconds = sum(self.timing.values())
        return sum(self.num_frames.values()) / seconds if seconds else float('nan')


def check_output_dirs(out_dir=None, show_dir=None, overwrite=False):
    """Refuse output folders that cannot be written or where results would replace a user's.

    Args:
        out_dir: the ``--out`` folder (result PNGs, scores) or ``None``.
        show_dir: the ``--show-dir`` folder (overlays, GIFs) or ``None``.
        overwrite: allow folders that already hold results (their files may be replaced).

    Raises:
        OutputError: a folder is a file or read-only; both are the same folder (the overlays
            would replace the result PNGs); or, without ``overwrite``, a folder already holds
            results (:data:`RESULT_EXTENSIONS`).
    """
    folders = [(option, folder) for option, folder in (('--out', out_dir), ('--show-dir', show_dir))
               if folder]
    for option, folder in folders:
        check_writable_dir(folder, option)
    if len(folders) == 2 and os.path.realpath(out_dir) == os.path.realpath(show_dir):
        raise OutputError(f'--out and --show-dir are both {out_dir}: the overlays would replace '
                          'the result PNGs; give two different folders.')
    for option, folder in folders:
        if not overwrite and _holds_results(folder):
            raise OutputError(f'{option} {folder} already holds results; choose another folder '
                              'or pass --overwrite to replace them.')


def _holds_results(folder):
    return os.path.isdir(folder) and any(
        name.lower().endswith(RESULT_EXTENSIONS) for _, _, files in os.walk(folder)
        for name in files)


def evaluate_dataset(model_or_segmenter, dataset, out_dir=None, metrics=('J', 'F'),
                     save_score=False, show_dir=None, progress=True, format_only=False,
                     score_dtype='float32', overwrite=False, evaluator=None):
    """Segment every sequence of ``dataset`` and score / write the results.

    Args:
        model_or_segmenter: a :class:`VideoSegmenter`, or an OSMN model (its ``model.cfg``, if
            any, gives the :class:`InferenceSettings`).
        dataset: a video data set with ``sequences()`` (built with ``test_mode=True``).
        out_dir: where result PNGs (and scores) go; ``None`` writes nothing.
        metrics: figures of the data set's ``default_evaluator`` when no ``evaluator`` is
            given: any of :data:`~osmnseg.evaluation.FIGURE_NAMES` (``'J'``, ``'F'`` and
            ``'J&F'`` all compute the DAVIS J&F protocol); empty for no scoring.
        save_score: also write per-object ``.npy`` probabilities (needs ``out_dir``).
        show_dir: where overlay PNGs and one GIF per sequence go (``None``: none).
        progress: show a tqdm bar over frames (frames/s).
        format_only: write results in the evaluator's submission layout and package them
            (YouTube-VOS: ``out_dir/Annotations`` and its zip; DAVIS: ``out_dir`` as is).
        score_dtype: ``'float32'`` or ``'float16'`` for the ``.npy`` scores.
        overwrite: allow writing into an ``out_dir`` / ``show_dir`` that already holds
            results (see :func:`check_output_dirs`).
        evaluator: the :class:`~osmnseg.evaluation.BaseMetric` to score with (from
            :func:`~osmnseg.evaluation.build_evaluator`, as ``tools/test.py`` and validation
            build it); each sequence is ``process``-ed into it, streamed. ``None``: the data
            set's ``default_evaluator`` computing ``metrics``.

    Returns:
        :class:`TestResults`.
    """
    if evaluator is None:
        evaluator = build_evaluator(None, dataset, metrics or ())
    if (save_score or format_only) and not out_dir:
        raise ConfigError('saving scores or formatting results needs an output folder (--out).')
    if score_dtype not in SCORE_DTYPES:
        raise ConfigError(f'score dtype must be one of {SCORE_DTYPES}, got {score_dtype!r}.')
    check_output_dirs(out_dir, show_dir, overwrite)
    segmenter = _as_segmenter(model_or_segmenter)
    png_root = evaluator.submission_folder(out_dir) if format_only else out_dir
    timing, num_frames, scoring_seconds = {}, {}, 0.0
    sequences = dataset.sequences()
    with tqdm(total=sum(len(s) for s in sequences), unit='frame', disable=not progress,
              desc='test') as bar:
        for sequence in sequences:
            writer = _SequenceWriter(sequence, png_root, out_dir if save_score else None,
                                     show_dir, score_dtype)
            start = time.perf_counter()
            predictions = _segment_and_write(segmenter, sequence, writer, bar,
                                             keep=bool(evaluator.metrics), scores=save_score)
            timing[sequence.name] = time.perf_counter() - start
            num_frames[sequence.name] = len(sequence)
            start = time.perf_counter()
            evaluator.process(sequence, predictions)
            scoring_seconds += time.perf_counter() - start
    if format_only:
        evaluator.pack_submission(out_dir)
    summary = evaluator.summarize(evaluator.results)
    return TestResults(**vars(summary), timing=timing, num_frames=num_frames,
                       scoring_seconds=scoring_seconds)


def _segment_and_write(segmenter, sequence, writer, bar, keep, scores):
    """Segment one sequence, its results written behind the model in a thread (the segmenter
    decodes frames ahead in another); returns the ``FrameResult``s (masks only) when ``keep``,
    for scoring after the sequence's timed part, else ``[]``."""
    kept = []
    with WriteBehind(times=segmenter.times) as behind:
        for result in segmenter.segment_sequence(sequence, return_probabilities=scores):
            behind.submit(writer.write, result)
            if keep:
                kept.append(FrameResult(result.index, result.mask))
            bar.update(1)
        behind.submit(writer.finish)
    return kept


def _as_segmenter(model_or_segmenter):
    if isinstance(model_or_segmenter, VideoSegmenter):
        return model_or_segmenter
    cfg = getattr(model_or_segmenter, 'cfg', None)
    settings = InferenceSettings.from_config(cfg) if cfg is not None else InferenceSettings()
    return VideoSegmenter(model_or_segmenter, settings)


class _SequenceWriter:
    """Writes one sequence's result PNGs, scores and overlays as frames arrive."""

    def __init__(self, sequence, png_root, score_root, show_dir, score_dtype):
        self.sequence = sequence
        self.names = sequence.frame_names
        self.eval_frames = set(sequence.eval_frames)
        self.png_root, self.score_root, self.show_dir = png_root, score_root, show_dir
        self.score_dtype = score_dtype
        self.overlays = []

    def write(self, result):
        name = self.names[result.index]
        if name not in self.eval_frames:
            return
        if self.png_root:
            save_palette_png(os.path.join(self.png_root, self.sequence.name, name + '.png'),
                             result.mask)
        if self.score_root:
            for obj, probability in result.probabilities.items():
                path = os.path.join(self.score_root, self.sequence.name,
                                    str(obj), name + '.npy')
                os.makedirs(os.path.dirname(path), exist_ok=True)
                np.save(path, probability.astype(self.score_dtype))
        if self.show_dir:
            path = os.path.join(self.show_dir, self.sequence.name, name + '.png')
            save_overlay(path, read_image(self.sequence.frame_paths[result.index]), result.mask)
            self.overlays.append(path)

    def finish(self):
        if self.overlays:
            write_gif(os.path.join(self.show_dir, self.sequence.name + '.gif'), self.overlays)
