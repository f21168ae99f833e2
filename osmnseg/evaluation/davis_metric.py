"""DAVISMetric: the DAVIS J&F protocol and the original OSMN mIoU of streamed sequences."""
import dataclasses

import numpy as np

from osmnseg.evaluation.base_metric import BaseMetric, MetricSummary
from osmnseg.evaluation.davis_eval import gt_object_ids, score_frames, summarize
from osmnseg.evaluation.miou import frame_ious
from osmnseg.registry import METRICS
from osmnseg.utils.errors import DataError

JF_NAMES = ('J', 'F', 'J&F')


@dataclasses.dataclass
class SequenceScores:
    """One sequence's per-frame scores (the record ``process`` appends to ``results``).

    Attributes:
        name: sequence name.
        single_object: the sequence is scored as one object (entries named ``<seq>``).
        jf: ``{object_id: {'J': [N] float64, 'F': [N] float64}}`` over its J/F frames.
        ious: ``{object_id: [M] float}`` over its mIoU frames.
    """

    name: str
    single_object: bool
    jf: dict
    ious: dict


@METRICS.register_module()
class DAVISMetric(BaseMetric):
    """J and F per object (Mean / Recall / Decay, J&F) and the original mIoU (spec §8.1).

    J/F score the annotated frames except the first and the last (DAVIS protocol); mIoU scores
    the same frames, or every annotated frame but the first where ``miou_scores_last_frame``.
    Objects are ``1..n`` of the first annotation; a single-object sequence (DAVIS 2016,
    ``sequence.single_object``) is object 1 of its binarised ground truth
    (``sequence.read_annotation``) against the prediction ``> 0``.

    Args:
        metrics: any of ``'J'``, ``'F'``, ``'J&F'`` (all select the J&F protocol) and
            ``'mIoU'``; default ``('J', 'F')``.
    """

    default_metrics = ('J', 'F')
    miou_scores_last_frame = False
    """mIoU also scores the last annotated frame (J/F never do)."""

    @property
    def scores_jf(self):
        return any(m in JF_NAMES for m in self.metrics)

    @property
    def scores_miou(self):
        return 'mIoU' in self.metrics

    def process(self, sequence, predictions):
        if not (self.scores_jf or self.scores_miou):
            return
        annotated = [n for n in sequence.frame_names if n in sequence.annotation_paths]
        jf_frames, miou_frames = self._scored_frames(sequence.name, annotated)
        single = sequence.single_object
        ids = [1] if single else gt_object_ids(sequence.read_annotation(annotated[0]))
        record = SequenceScores(sequence.name, single, {k: {'J': [], 'F': []} for k in ids},
                                {k: [] for k in ids})
        names = sequence.frame_names
        for prediction in predictions:
            name = names[prediction.index]
            if name not in jf_frames and name not in miou_frames:
                continue
            gt, pred = sequence.read_annotation(name), np.asarray(prediction.mask)
            if single:
                pred = (pred > 0).astype(np.uint8)
            if name in jf_frames:
                frame = score_frames([(gt, pred, f'{sequence.name}/{name}')], ids)
                for k, values in frame.items():
                    for key in ('J', 'F'):
                        record.jf[k][key].extend(values[key])
            if name in miou_frames:
                for k, iou in frame_ious(gt, pred, ids).items():
                    record.ious[k].append(iou)
        self.results.append(record)

    def _scored_frames(self, sequence_name, annotated):
        """``(J/F frame names, mIoU frame names)`` as sets, of a sequence whose annotated frame
        names are ``annotated`` (in frame order)."""
        if self.scores_jf and len(annotated) < 3:
            raise DataError(f'sequence {sequence_name} has {len(annotated)} annotated frame(s); '
                            'the DAVIS protocol scores all but the first and the last, so it '
                            'needs at least 3.')
        jf_frames = set(annotated[1:-1]) if self.scores_jf else set()
        miou_frames = set()
        if self.scores_miou:
            miou_frames = set(annotated[1:] if self.miou_scores_last_frame else annotated[1:-1])
        return jf_frames, miou_frames

    def summarize(self, results):
        davis = None
        if self.scores_jf:
            davis = summarize({r.name: {k: {key: np.asarray(v) for key, v in s.items()}
                                        for k, s in r.jf.items()} for r in results})
        if not self.scores_miou:
            return MetricSummary(davis=davis)
        entries = {}
        for record in results:
            for k, values in record.ious.items():
                if values:
                    name = record.name if record.single_object else f'{record.name}_{k}'
                    entries[name] = float(np.mean(values))
        miou = float(np.mean(list(entries.values()))) if entries else float('nan')
        return MetricSummary(davis=davis, miou=miou, miou_entries=entries)

