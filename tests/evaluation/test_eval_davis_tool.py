"""``tools/eval_davis.py`` run as a user would, on a tiny generated DAVIS tree."""
import glob
import os
import subprocess
import sys

import numpy as np

from davis_tree import sequence_masks, write_masks

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(REPO, 'tools', 'eval_davis.py')


def run_tool(*args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_eval_davis_prints_tables_and_writes_csvs(davis_root, tmp_path):
    results_dir = tmp_path / 'method'
    for name in ('two', 'one'):
        write_masks(str(results_dir / name), np.roll(sequence_masks(name), 1, axis=2))
    out = tmp_path / 'csv'
    proc = run_tool(davis_root, str(results_dir), '--year', '2017', '--set', 'val',
                    '--out', str(out), '--miou')
    assert proc.returncode == 0, proc.stderr
    assert 'J&F-Mean' in proc.stdout and 'two_2' in proc.stdout and 'one_1' in proc.stdout
    assert 'mIoU (original OSMN davis_eval.py)' in proc.stdout
    [global_csv] = out.glob('global_results_*.csv')
    header, values = global_csv.read_text().splitlines()
    assert header == 'J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay'
    assert all(0 <= float(v) <= 1 for v in values.split(',')[:3])
    [sequence_csv] = out.glob('per-sequence_results_*.csv')
    rows = sequence_csv.read_text().splitlines()
    assert [r.split(',')[0] for r in rows] == ['Sequence', 'two_1', 'two_2', 'one_1']


def test_eval_davis_sequence_filter_and_default_out(davis_root, perfect_results):
    for run in range(2):  # a second run adds its own CSVs; the first run's stay
        proc = run_tool(davis_root, perfect_results, '--sequences', 'one')
        assert proc.returncode == 0, proc.stderr
    written = sorted(glob.glob(os.path.join(perfect_results, 'per-sequence_results_*.csv')))
    assert len(written) == 2
    for path in written:
        assert open(path).read().splitlines() == ['Sequence,J-Mean,F-Mean', 'one_1,1.000,1.000']


def test_eval_davis_reports_data_errors_in_one_line(davis_root, perfect_results):
    os.remove(os.path.join(perfect_results, 'two', '00002.png'))
    proc = run_tool(davis_root, perfect_results)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()  # the progress bar, then the error
    assert lines[-1].startswith('error: ') and proc.returncode == 1
    assert sum(line.startswith('error: ') for line in lines) == 1
    assert '00002.png is missing' in proc.stderr
    assert 'Traceback' not in proc.stderr
