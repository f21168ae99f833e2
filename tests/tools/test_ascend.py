"""The Ascend ModelZoo wrappers (tools/ascend/) on the CPU, and their summary script."""
import importlib.util
import json
import os
import sys

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS, 'runner'))
from runner_utils import REPO, write_config  # noqa: E402

ASCEND = os.path.join(REPO, 'tools', 'ascend')
# eager: the test is about the wrapper, and two eager iterations are cheaper than one trace
EAGER = "runner = dict(eager=True)\ncheckpoint_config = dict(interval=0, save_last=False)\n"


def test_train_performance_1p_on_cpu(tmp_path, tiny_toyvos, run_subprocess):
    config = write_config(tmp_path, tiny_toyvos, EAGER)
    result = run_subprocess(['bash', os.path.join(ASCEND, 'train_performance_1p.sh'),
                             '--device=cpu', f'--config={config}', '--max_iters=2',
                             '--batch_size=2'], cwd=tmp_path)
    lines = result.stdout.strip().splitlines()
    assert [line.split(' : ')[0] for line in lines] == [
        'Final Performance images/sec', 'Final Training Time per step sec', 'Final Train Loss',
        'Final Training Duration sec']
    assert all(float(line.split(' : ')[1]) >= 0 for line in lines)
    out = tmp_path / 'output' / '0'
    case = 'OSMN_ID1103_for_TensorFlow_bs2_1p_perf'
    assert 'Iter [2/2]' in (out / 'train_0.log').read_text()
    fields = dict(line.split(' = ') for line in (out / f'{case}.log').read_text().splitlines())
    assert fields['CaseName'] == case and fields['BatchSize'] == '2' and fields['RankSize'] == '1'
    losses = (out / f'{case}_loss.txt').read_text().split()
    assert len(losses) == 2 and fields['ActualLoss'] == losses[-1]


def test_unknown_argument_is_rejected(tmp_path, run_subprocess):
    result = run_subprocess(['bash', os.path.join(ASCEND, 'train_full_1p.sh'), '--epochs=3'],
                            cwd=tmp_path, check=False)
    assert result.returncode == 2 and 'unknown argument --epochs=3' in result.stderr


def _write_log(work_dir, times, losses):
    os.makedirs(work_dir, exist_ok=True)
    with open(os.path.join(work_dir, '20260101_000000.log.json'), 'w') as f:
        for i, (time, loss) in enumerate(zip(times, losses), start=1):
            f.write(json.dumps(dict(mode='train', iter=i * 20, time=time, loss=loss)) + '\n')
        f.write(json.dumps(dict(mode='val', iter=40, **{'J&F-Mean': 0.5})) + '\n')


def test_summary_leaves_out_the_traced_first_iteration(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'modelzoo_summary', os.path.join(ASCEND, 'modelzoo_summary.py'))
    modelzoo_summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modelzoo_summary)
    _write_log(tmp_path / 'w', [30.0, 0.5, 0.3], [900.0, 500.0, 400.25])
    modelzoo_summary.main(['--work-dir', str(tmp_path / 'w'), '--case-name', 'case',
                           '--batch-size', '8', '--e2e-seconds', '61.7', '--out-dir',
                           str(tmp_path)])
    assert capsys.readouterr().out.splitlines() == [
        'Final Performance images/sec : 20.00', 'Final Training Time per step sec : 0.40',
        'Final Train Loss : 400.2500', 'Final Training Duration sec : 61']
    assert (tmp_path / 'case_loss.txt').read_text() == '900.0000\n500.0000\n400.2500\n'
    with pytest.raises(SystemExit, match='no \\*.log.json'):
        modelzoo_summary.main(['--work-dir', str(tmp_path / 'empty'), '--case-name', 'c',
                               '--batch-size', '8', '--e2e-seconds', '1', '--out-dir',
                               str(tmp_path)])
