"""Tables, CSVs and the JSON record of a DAVIS evaluation.

The CSVs follow the official ``evaluation_method.py``: ``global_results_<stamp>.csv`` with the
columns ``J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay`` and
``per-sequence_results_<stamp>.csv`` with ``Sequence,J-Mean,F-Mean`` and one row
``<sequence>_<object id>`` per object; values are fractions written with ``%.3f`` (pandas
``float_format``; NaN as an empty field). The terminal tables show the same numbers in percent,
as papers quote them.

Every run names its record files with one stamp (:func:`run_stamp`), so a later run never
replaces an earlier one's; the files are created exclusively and never overwritten.
"""
import csv
import datetime
import json
import os

from terminaltables import AsciiTable

from osmnseg.evaluation.davis_eval import GLOBAL_COLUMNS

GLOBAL_CSV = 'global_results_{stamp}.csv'
PER_SEQUENCE_CSV = 'per-sequence_results_{stamp}.csv'
EVAL_JSON = 'eval_{stamp}.json'


def summary_table(results, title='DAVIS J&F (%)'):
    """Terminal table of the global metrics, in percent with one decimal.

    Args:
        results: a :class:`~osmnseg.evaluation.davis_eval.DavisResults`.
        title: table title.

    Returns:
        the rendered table as a string.
    """
    metrics = results.global_metrics
    rows = [list(GLOBAL_COLUMNS), [_percent(metrics[c]) for c in GLOBAL_COLUMNS]]
    return AsciiTable(rows, title).table


def per_object_table(results, title='Per object (%)'):
    """Terminal table with one row per object: J and F Mean, Recall and Decay in percent."""
    header = ['Object', 'J-Mean', 'J-Recall', 'J-Decay', 'F-Mean', 'F-Recall', 'F-Decay']
    rows = [header] + [[o.name] + [_percent(v) for v in (o.j_mean, o.j_recall, o.j_decay, o.f_mean,
                                                         o.f_recall, o.f_decay)]
                       for o in results.objects]
    return AsciiTable(rows, title).table


def write_csvs(out_dir, results, stamp=None):
    """Write the official ``global_results_<stamp>.csv`` and ``per-sequence_results_<stamp>.csv``.

    Args:
        out_dir: folder, created if missing.
        results: a :class:`~osmnseg.evaluation.davis_eval.DavisResults`.
        stamp: the run's :func:`run_stamp` (default: a new one for ``out_dir``).

    Returns:
        ``(global_csv_path, per_sequence_csv_path)``.

    Raises:
        FileExistsError: a file of that name exists (it is never replaced).
    """
    os.makedirs(out_dir, exist_ok=True)
    stamp = stamp or run_stamp(out_dir)
    metrics = results.global_metrics
    global_path = os.path.join(out_dir, GLOBAL_CSV.format(stamp=stamp))
    _write_csv(global_path, GLOBAL_COLUMNS, [[metrics[c] for c in GLOBAL_COLUMNS]])
    sequence_path = os.path.join(out_dir, PER_SEQUENCE_CSV.format(stamp=stamp))
    _write_csv(sequence_path, ('Sequence', 'J-Mean', 'F-Mean'),
               [[o.name, o.j_mean, o.f_mean] for o in results.objects])
    return global_path, sequence_path


def write_eval_json(path, config_path, results=None, timing=None, extra_metrics=None):
    """Write the evaluation record ``eval_<stamp>.json`` (see :func:`eval_json_name`).

    Args:
        path: output file (parent folders are created; an existing file is never replaced).
        config_path: the config file the model came from (``None`` for foreign results).
        results: optional :class:`~osmnseg.evaluation.davis_eval.DavisResults`; its global
            metrics are stored under the official column names as fractions in [0, 1].
        timing: optional ``{sequence: seconds}`` inference time per sequence.
        extra_metrics: optional ``{name: fraction}`` added to the metrics (e.g. ``'mIoU'``).

    Returns:
        the written dict: ``{'config', 'time', 'metrics', ['per_object'], ['timing']}``; NaN
        values are written as ``null``.
    """
    metrics = dict(results.global_metrics) if results is not None else {}
    metrics.update(extra_metrics or {})
    record = {
        'config': config_path,
        'time': datetime.datetime.now().isoformat(timespec='seconds'),
        'metrics': {name: _json_float(v) for name, v in metrics.items()},
    }
    if results is not None:
        record['per_object'] = {
            o.name: {'J-Mean': _json_float(o.j_mean), 'F-Mean': _json_float(o.f_mean)}
            for o in results.objects
        }
    if timing is not None:
        record['timing'] = {
            'per_sequence_seconds': {name: float(t) for name, t in timing.items()},
            'total_seconds': float(sum(timing.values())),
        }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'x') as f:
        json.dump(record, f, indent=2, allow_nan=False)
    return record


def run_stamp(out_dir, now=None):
    """The stamp of one run's record files in ``out_dir``: ``YYYYmmdd_HHMMSS`` of ``now``
    (default: the current local time), with ``_2``, ``_3``, ... appended while a record file of
    that stamp exists already."""
    base = (now or datetime.datetime.now()).strftime('%Y%m%d_%H%M%S')
    stamp, count = base, 1
    while any(os.path.exists(os.path.join(out_dir, name.format(stamp=stamp)))
              for name in (GLOBAL_CSV, PER_SEQUENCE_CSV, EVAL_JSON)):
        count += 1
        stamp = f'{base}_{count}'
    return stamp


def eval_json_name(stamp):
    """``eval_<stamp>.json``, the evaluation record of the run of :func:`run_stamp` ``stamp``."""
    return EVAL_JSON.format(stamp=stamp)


def _write_csv(path, header, rows):
    with open(path, 'x', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(header)
        writer.writerows([[_csv_value(v) for v in row] for row in rows])


def _csv_value(value):
    """pandas ``to_csv(float_format='%.3f')``: floats with 3 decimals, NaN empty, text as is."""
    if isinstance(value, str):
        return value
    return '' if value != value else '%.3f' % value


def _percent(value):
    return 'nan' if value != value else f'{100 * value:.1f}'


def _json_float(value):
    """A float for JSON; NaN (undefined) becomes ``null``."""
    value = float(value)
    return None if value != value else value
