"""osmnseg.evaluation: the official DAVIS J&F protocol, OSMN's original mIoU, tables and CSVs,
and the metric classes (METRICS registry) that testing and validation score with."""
from osmnseg.evaluation.base_metric import FIGURE_NAMES, BaseMetric, MetricSummary
from osmnseg.evaluation.baselines import copy_first_frame_baseline_jf
from osmnseg.evaluation.builder import build_evaluator
from osmnseg.evaluation.davis_eval import (GLOBAL_COLUMNS, DavisResults, ObjectScores,
                                           evaluate_results_dir, evaluate_sequence, gt_object_ids,
                                           read_split, score_frames, summarize)
from osmnseg.evaluation.davis_metric import DAVISMetric
from osmnseg.evaluation.metrics import db_eval_boundary, db_eval_iou, f_measure, seg2bmap
from osmnseg.evaluation.miou import davis_miou, davis_sequence_miou, youtube_objects_miou
from osmnseg.evaluation.reporting import (eval_json_name, per_object_table, run_stamp,
                                          summary_table, write_csvs, write_eval_json)
from osmnseg.evaluation.statistics import db_statistics, decay_bin_edges
from osmnseg.evaluation.youtube_objects_metric import YouTubeObjectsMetric
from osmnseg.evaluation.youtube_vos_metric import SUBMISSION_ZIP, YouTubeVOSMetric

__all__ = [
    'FIGURE_NAMES', 'GLOBAL_COLUMNS', 'SUBMISSION_ZIP', 'BaseMetric', 'DAVISMetric',
    'DavisResults', 'MetricSummary', 'ObjectScores', 'YouTubeObjectsMetric', 'YouTubeVOSMetric',
    'build_evaluator', 'copy_first_frame_baseline_jf', 'davis_miou', 'davis_sequence_miou',
    'db_eval_boundary', 'db_eval_iou', 'db_statistics', 'decay_bin_edges',
    'eval_json_name', 'evaluate_results_dir', 'evaluate_sequence', 'f_measure',
    'gt_object_ids', 'per_object_table', 'read_split', 'run_stamp', 'score_frames', 'seg2bmap',
    'summarize', 'summary_table', 'write_csvs', 'write_eval_json', 'youtube_objects_miou'
]
