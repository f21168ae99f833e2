"""The DAVIS semi-supervised protocol: per-object J and F over a sequence, and their summary.

Replicates ``davis2017/evaluation.py`` (semi-supervised task) of the official DAVIS evaluation:
objects are ids ``1..n`` with ``n`` the largest id in the first ground-truth frame (255 = void
counts as background), the first and the last frame of every sequence are not scored, an object
missing from the prediction scores as an empty mask, and a prediction with ids beyond the ground
truth is an error. Global numbers are means over objects, not over sequences.
"""
import dataclasses
import os

import numpy as np
from tqdm import tqdm

from osmnseg.evaluation.metrics import db_eval_iou, f_measure
from osmnseg.evaluation.statistics import db_statistics
from osmnseg.io.palette import load_index_png
from osmnseg.utils.errors import DataError

VOID_LABEL = 255
GLOBAL_COLUMNS = ('J&F-Mean', 'J-Mean', 'J-Recall', 'J-Decay', 'F-Mean', 'F-Recall', 'F-Decay')
"""Column names of the official ``global_results.csv``, in order."""


@dataclasses.dataclass(frozen=True)
class ObjectScores:
    """Mean, Recall and Decay of J and F for one object of one sequence (fractions in [0, 1])."""
    sequence: str
    object_id: int
    j_mean: float
    j_recall: float
    j_decay: float
    f_mean: float
    f_recall: float
    f_decay: float

    @property
    def name(self):
        """Row name of the official per-sequence CSV: ``<sequence>_<object id>``."""
        return f'{self.sequence}_{self.object_id}'


@dataclasses.dataclass(frozen=True)
class DavisResults:
    """Per-object scores of an evaluation run; global metrics are means over all objects."""
    objects: tuple

    @property
    def global_metrics(self):
        """``{column: float}`` under the official names :data:`GLOBAL_COLUMNS`, fractions."""
        j_mean = float(np.mean([o.j_mean for o in self.objects]))
        f_mean = float(np.mean([o.f_mean for o in self.objects]))
        return {
            'J&F-Mean': (j_mean + f_mean) / 2,
            'J-Mean': j_mean,
            'J-Recall': float(np.mean([o.j_recall for o in self.objects])),
            'J-Decay': float(np.mean([o.j_decay for o in self.objects])),
            'F-Mean': f_mean,
            'F-Recall': float(np.mean([o.f_recall for o in self.objects])),
            'F-Decay': float(np.mean([o.f_decay for o in self.objects])),
        }


def evaluate_sequence(gt_masks, pred_masks, object_ids, source='the prediction'):
    """Per-frame J and F of every object of one sequence, first and last frame excluded.

    Args:
        gt_masks: ``[T, H, W]`` integer object-id masks (0 background, 255 void = background).
        pred_masks: ``[T, H, W]`` integer object-id masks of the method, same frames.
        object_ids: ids to score, e.g. ``range(1, n + 1)`` (see :func:`gt_object_ids`).
        source: how error messages name the prediction.

    Returns:
        ``{object_id: {'J': [T-2] float64, 'F': [T-2] float64}}``.

    Raises:
        DataError: fewer than 3 frames, a size mismatch, or ids beyond ``object_ids``.
    """
    if len(gt_masks) != len(pred_masks):
        raise DataError(f'{source} has {len(pred_masks)} frames but the ground truth has '
                        f'{len(gt_masks)}; give one mask per ground-truth frame.')
    _check_sequence_length(len(gt_masks), source)
    frames = ((gt_masks[t], pred_masks[t], f'{source} (frame {t})')
              for t in range(1, len(gt_masks) - 1))
    return score_frames(frames, object_ids)


def score_frames(frames, object_ids):
    """J and F of every object over already selected frames.

    Args:
        frames: iterable of ``(gt [H, W] int, pred [H, W] int, source str)``; ``source`` names
            the prediction in error messages (e.g. its file).
        object_ids: ids to score.

    Returns:
        ``{object_id: {'J': [N] float64, 'F': [N] float64}}``.
    """
    object_ids = [int(k) for k in object_ids]
    scores = {k: {'J': [], 'F': []} for k in object_ids}
    for gt, pred, source in frames:
        gt, pred = np.asarray(gt), np.asarray(pred)
        check_prediction_size(gt, pred, source)
        extra = np.setdiff1d(np.unique(pred), [0, *object_ids])
        if extra.size:
            raise DataError(f'{source} contains object id(s) {extra.tolist()} but the ground '
                            f'truth has only objects {object_ids}; write one id per annotated '
                            'object (0 = background).')
        for k in object_ids:
            gt_k, pred_k = gt == k, pred == k
            scores[k]['J'].append(db_eval_iou(gt_k, pred_k))
            scores[k]['F'].append(f_measure(pred_k, gt_k))
    return {k: {'J': np.asarray(s['J'], np.float64), 'F': np.asarray(s['F'], np.float64)}
            for k, s in scores.items()}


def summarize(sequence_scores):
    """Turn per-frame scores into per-object statistics.

    Args:
        sequence_scores: ``{sequence: {object_id: {'J': [N], 'F': [N]}}}`` as returned per
            sequence by :func:`evaluate_sequence`, in the order rows should appear.

    Returns:
        :class:`DavisResults`.
    """
    objects = []
    for sequence, per_object in sequence_scores.items():
        for object_id, values in per_object.items():
            objects.append(ObjectScores(sequence, int(object_id), *db_statistics(values['J']),
                                        *db_statistics(values['F'])))
    if not objects:
        raise ValueError('summarize needs at least one scored object')
    return DavisResults(tuple(objects))


def gt_object_ids(first_annotation):
    """Object ids of a sequence: ``1..n``, n = largest non-void id in its first annotation."""
    first_annotation = np.asarray(first_annotation)
    labels = first_annotation[first_annotation != VOID_LABEL]
    return list(range(1, int(labels.max(initial=0)) + 1))


def read_split(davis_root, year, split):
    """Sequence names of ``<davis_root>/ImageSets/<year>/<split>.txt``, in file order."""
    path = os.path.join(davis_root, 'ImageSets', str(year), f'{split}.txt')
    if not os.path.isfile(path):
        raise DataError(f'{path} does not exist; point DAVIS_ROOT at the DAVIS folder that holds '
                        'ImageSets/ and check --year and --set.')
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def annotation_frames(davis_root, sequence, resolution='480p'):
    """Sorted ``(frame_name, path)`` of ``Annotations/<resolution>/<sequence>/*.png``."""
    folder = os.path.join(davis_root, 'Annotations', resolution, sequence)
    if not os.path.isdir(folder):
        raise DataError(f'{folder} does not exist; check DAVIS_ROOT, --resolution and the '
                        'sequence list.')
    names = sorted(f for f in os.listdir(folder) if f.endswith('.png'))
    return [(os.path.splitext(n)[0], os.path.join(folder, n)) for n in names]


def iter_scored_frames(davis_root, results_dir, sequence, year=2017, resolution='480p'):
    """The scored frames of one sequence read from disk.

    Args:
        davis_root: DAVIS folder with ``Annotations/``.
        results_dir: method folder with ``<sequence>/<frame>.png`` index PNGs.
        sequence: sequence name.
        year: 2017 (multi-object ids) or 2016 (single object: ground truth and prediction are
            binarised with ``> 0``).
        resolution: annotation folder, ``'480p'`` or ``'Full-Resolution'``.

    Returns:
        ``(object_ids, frames)``; ``frames`` lazily yields ``(gt [H, W], pred [H, W], pred_path)``
        for every annotated frame except the first and the last.
    """
    annotations = annotation_frames(davis_root, sequence, resolution)
    _check_sequence_length(len(annotations), os.path.join(davis_root, 'Annotations', resolution,
                                                          sequence))
    first = load_index_png(annotations[0][1])
    object_ids = [1] if int(year) == 2016 else gt_object_ids(first)

    def frames():
        for name, gt_path in annotations[1:-1]:
            pred_path = os.path.join(results_dir, sequence, f'{name}.png')
            if not os.path.isfile(pred_path):
                raise DataError(f'{pred_path} is missing; the DAVIS protocol needs a result PNG '
                                f'({_size(first)}) for every annotated frame of {sequence} but '
                                'the first and the last.')
            gt, pred = load_index_png(gt_path), load_index_png(pred_path)
            if int(year) == 2016:
                gt, pred = (gt > 0).astype(np.uint8), (pred > 0).astype(np.uint8)
            yield gt, pred, pred_path

    return object_ids, frames()


def evaluate_results_dir(davis_root, results_dir, year=2017, split='val', resolution='480p',
                         sequences=None, progress=False):
    """Score a method's result folder with the DAVIS protocol.

    Args:
        davis_root: DAVIS folder with ``ImageSets/`` and ``Annotations/``.
        results_dir: folder with ``<sequence>/<frame>.png`` palette or 8-bit index PNGs; the first
            and last frame of each sequence may be absent.
        year: 2017 or 2016 (ImageSets year; 2016 scores the union of objects as one).
        split: ``'train'`` or ``'val'`` (any ImageSets list name).
        resolution: annotation resolution folder.
        sequences: optional subset of sequence names, in the order to report them.
        progress: show a tqdm bar over sequences.

    Returns:
        :class:`DavisResults`.
    """
    names = read_split(davis_root, year, split) if sequences is None else list(sequences)
    sequence_scores = {}
    for sequence in tqdm(names, desc='DAVIS eval', unit='seq', disable=not progress):
        object_ids, frames = iter_scored_frames(davis_root, results_dir, sequence, year, resolution)
        sequence_scores[sequence] = score_frames(frames, object_ids)
    return summarize(sequence_scores)


def check_prediction_size(gt, pred, source):
    """Raise a DataError naming ``source`` unless ``pred`` has the ground truth's ``[H, W]``."""
    if np.shape(gt) != np.shape(pred):
        raise DataError(f'{source} has size {_size(pred)} but the ground truth is '
                        f'{_size(gt)}; write results at the annotation resolution.')


def _check_sequence_length(num_frames, where):
    if num_frames < 3:
        raise DataError(f'{where} has {num_frames} annotated frame(s); the DAVIS protocol scores '
                        'all but the first and the last, so a sequence needs at least 3.')


def _size(mask):
    """``'WxH'`` of an ``[H, W]`` mask, as image sizes are usually written."""
    return f'{mask.shape[1]}x{mask.shape[0]}' if np.ndim(mask) == 2 else str(np.shape(mask))
