"""Data-set-level testing: segment every sequence, write what was asked for, score it.

Used by ``tools/test.py`` and by validation during training (``apis.validation``, which writes
nothing). Frames are streamed and scored as they come; nothing but one frame (and its masks) is
held per sequence.

Output layouts (all at the data set's original annotation resolution):

* ``out_dir/<seq>/<frame>.png``: merged palette PNGs for exactly the sequence's ``eval_frames``
  (the official DAVIS result layout; frame 0 is its ground truth, frame-sized, quirk 8).
* YouTube-VOS with ``format_only``: ``out_dir/Annotations/<video>/<frame>.png`` for exactly the
  frames listed in meta.json, zipped into ``out_dir/submission.zip`` for the server.
* ``save_score``: ``out_dir/<seq>/<obj_id>/<frame>.npy`` per-object probabilities (an object's
  own first frame holds its ground truth as 0/1; single-object sets use id 1).
* ``show_dir/<seq>/<frame>.png`` overlays and ``show_dir/<seq>.gif``.
"""
import dataclasses
import os
import time
import zipfile

import numpy as np
from tqdm import tqdm

from osmnseg.apis.inference import InferenceSettings, VideoSegmenter
from osmnseg.apis.visualization import save_overlay, write_gif
from osmnseg.datasets.pipelines.functional import read_image
from osmnseg.datasets.youtube_objects import YouTubeObjects
from osmnseg.datasets.youtube_vos import YouTubeVOS
from osmnseg.evaluation import gt_object_ids, score_frames, summarize
from osmnseg.evaluation.miou import frame_ious
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.utils.errors import ConfigError, DataError, OutputError
from osmnseg.utils.paths import check_writable_dir

METRICS = ('J', 'F', 'J&F', 'mIoU')
RESULT_EXTENSIONS = ('.png', '.npy', '.gif', '.zip', '.mp4')
SUBMISSION_ZIP = 'submission.zip'
SCORE_DTYPES = ('float32', 'float16')


@dataclasses.dataclass
class TestResults:
    """What :func:`evaluate_dataset` measured.

    Attributes:
        davis: :class:`~osmnseg.evaluation.DavisResults` (J/F per object) or ``None``.
        miou: the original OSMN mIoU (spec §8.1 / §8.2) as a fraction, or ``None``.
        miou_entries: ``{'<seq>_<id>' or '<seq>': fraction}`` behind ``miou``.
        timing: ``{sequence: seconds}`` of segmenting (and writing) each sequence, from the
            first frame read to the last result written (scoring excluded).
        num_frames: ``{sequence: frames segmented}``.
        scoring_seconds: time spent scoring the results (J, F, mIoU), outside ``timing``.
    """

    davis: object = None
    miou: float = None
    miou_entries: dict = None
    timing: dict = dataclasses.field(default_factory=dict)
    num_frames: dict = dataclasses.field(default_factory=dict)
    scoring_seconds: float = 0.0

    @property
    def global_metrics(self):
        """``{name: fraction}``: the official DAVIS columns (``J&F-Mean``, ...) and ``mIoU``."""
        metrics = dict(self.davis.global_metrics) if self.davis is not None else {}
        if self.miou is not None:
            metrics['mIoU'] = self.miou
        return metrics

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


def check_metrics(metrics, dataset):
    """Validate metric names against :data:`METRICS` and the data set's ground truth."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ConfigError(f'unknown metric(s) {unknown}; choose from {list(METRICS)}.')
    if metrics and isinstance(dataset, YouTubeVOS):
        raise ConfigError('YouTube-VOS has no public ground truth beyond each object\'s first '
                          'frame; use --format-only and submit the zip to the evaluation server.')


def evaluate_dataset(model_or_segmenter, dataset, out_dir=None, metrics=('J', 'F'),
                     save_score=False, show_dir=None, progress=True, format_only=False,
                     score_dtype='float32', overwrite=False):
    """Segment every sequence of ``dataset`` and score / write the results.

    Args:
        model_or_segmenter: a :class:`VideoSegmenter`, or an OSMN model (its ``model.cfg``, if
            any, gives the :class:`InferenceSettings`).
        dataset: a video data set with ``sequences()`` (built with ``test_mode=True``).
        out_dir: where result PNGs (and scores) go; ``None`` writes nothing.
        metrics: any of :data:`METRICS`; ``'J'``, ``'F'`` and ``'J&F'`` all compute the DAVIS
            J&F protocol; empty for no scoring.
        save_score: also write per-object ``.npy`` probabilities (needs ``out_dir``).
        show_dir: where overlay PNGs and one GIF per sequence go (``None``: none).
        progress: show a tqdm bar over frames (frames/s).
        format_only: YouTube-VOS: write the server layout into ``out_dir`` and zip it.
        score_dtype: ``'float32'`` or ``'float16'`` for the ``.npy`` scores.
        overwrite: allow writing into an ``out_dir`` / ``show_dir`` that already holds
            results (see :func:`check_output_dirs`).

    Returns:
        :class:`TestResults`.
    """
    metrics = list(metrics or ())
    check_metrics(metrics, dataset)
    if (save_score or format_only) and not out_dir:
        raise ConfigError('saving scores or formatting results needs an output folder (--out).')
    if score_dtype not in SCORE_DTYPES:
        raise ConfigError(f'score dtype must be one of {SCORE_DTYPES}, got {score_dtype!r}.')
    check_output_dirs(out_dir, show_dir, overwrite)
    segmenter = _as_segmenter(model_or_segmenter)
    submission = format_only and isinstance(dataset, YouTubeVOS)
    png_root = os.path.join(out_dir, 'Annotations') if submission and out_dir else out_dir
    scorer = _Scorer(metrics, isinstance(dataset, YouTubeObjects))
    results = TestResults()
    sequences = dataset.sequences()
    with tqdm(total=sum(len(s) for s in sequences), unit='frame', disable=not progress,
              desc='test') as bar:
        for sequence in sequences:
            writer = _SequenceWriter(sequence, png_root, out_dir if save_score else None,
                                     show_dir, score_dtype)
            scorer.start(sequence)
            start, scoring = time.perf_counter(), 0.0
            for result in segmenter.segment_sequence(sequence, return_probabilities=save_score):
                writer.write(result)
                scored = time.perf_counter()
                scorer.add(sequence, result)
                scoring += time.perf_counter() - scored
                bar.update(1)
            writer.finish()
            results.timing[sequence.name] = time.perf_counter() - start - scoring
            results.scoring_seconds += scoring
            results.num_frames[sequence.name] = len(sequence)
    if submission:
        zip_folder(png_root, os.path.join(out_dir, SUBMISSION_ZIP))
    results.davis, results.miou, results.miou_entries = scorer.finish()
    return results


def zip_folder(folder, zip_path):
    """Zip ``folder`` (stored under its own name, e.g. ``Annotations/<video>/<frame>.png``)."""
    base = os.path.dirname(os.path.abspath(folder))
    with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                archive.write(path, os.path.relpath(path, base))
    return zip_path


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
                                    str(1 if obj is None else obj), name + '.npy')
                os.makedirs(os.path.dirname(path), exist_ok=True)
                np.save(path, probability.astype(self.score_dtype))
        if self.show_dir:
            path = os.path.join(self.show_dir, self.sequence.name, name + '.png')
            save_overlay(path, read_image(self.sequence.frame_paths[result.index]), result.mask)
            self.overlays.append(path)

    def finish(self):
        if self.overlays:
            write_gif(os.path.join(self.show_dir, self.sequence.name + '.gif'), self.overlays)


class _Scorer:
    """Streams (ground truth, prediction) pairs into DAVIS J/F and the original mIoU.

    J/F: annotated frames except the first and the last (DAVIS protocol); mIoU: the same
    frames (§8.1), or every annotated frame but the first for YouTube-Objects (§8.2).
    """

    def __init__(self, metrics, youtube_objects):
        self.jf = any(m in ('J', 'F', 'J&F') for m in metrics)
        self.miou = 'mIoU' in metrics
        self.youtube_objects = youtube_objects
        self.jf_scores, self.ious = {}, {}

    def start(self, sequence):
        if not (self.jf or self.miou):
            return
        annotated = [n for n in sequence.frame_names if n in sequence.annotation_paths]
        if self.jf and len(annotated) < 3:
            raise DataError(f'sequence {sequence.name} has {len(annotated)} annotated frame(s); '
                            'the DAVIS protocol scores all but the first and the last, so it '
                            'needs at least 3.')
        self.single = list(sequence.object_ids) == [None]
        first = load_index_png(sequence.annotation_paths[annotated[0]])
        self.ids = [1] if self.single else gt_object_ids(first)
        self.jf_frames = set(annotated[1:-1])
        self.miou_frames = set(annotated[1:] if self.youtube_objects else annotated[1:-1])
        self.jf_scores[sequence.name] = {k: {'J': [], 'F': []} for k in self.ids}
        self.ious[sequence.name] = {k: [] for k in self.ids}

    def add(self, sequence, result):
        name = sequence.frame_names[result.index]
        scored_jf = self.jf and name in self.jf_frames
        scored_miou = self.miou and name in self.miou_frames
        if not (scored_jf or scored_miou):
            return
        gt, pred = load_index_png(sequence.annotation_paths[name]), result.mask
        if self.single:  # binary sets; YouTube-Objects labels may be JPEG-compressed 0/255
            gt = (gt > (127 if self.youtube_objects else 0)).astype(np.uint8)
            pred = (pred > 0).astype(np.uint8)
        if scored_jf:
            frame = score_frames([(gt, pred, f'{sequence.name}/{name}')], self.ids)
            for k, values in frame.items():
                for key in ('J', 'F'):
                    self.jf_scores[sequence.name][k][key].extend(values[key])
        if scored_miou:
            for k, iou in frame_ious(gt, pred, self.ids).items():
                self.ious[sequence.name][k].append(iou)

    def finish(self):
        davis = None
        if self.jf:
            davis = summarize({seq: {k: {key: np.asarray(v) for key, v in s.items()}
                                     for k, s in objects.items()}
                               for seq, objects in self.jf_scores.items()})
        if not self.miou:
            return davis, None, None
        entries = {}
        for seq, objects in self.ious.items():
            for k, values in objects.items():
                if values:
                    entries[seq if self.single else f'{seq}_{k}'] = float(np.mean(values))
        miou = float(np.mean(list(entries.values()))) if entries else float('nan')
        return davis, miou, entries
