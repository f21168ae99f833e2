"""tools/misc/analyze_logs.py on a JSON training log."""
import importlib.util
import json
import os
import sys

import pytest

from requirements import PLOT_EXTRA, require
from tool_loader import TOOLS

spec = importlib.util.spec_from_file_location('analyze_logs',
                                              os.path.join(TOOLS, 'misc', 'analyze_logs.py'))
analyze_logs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(analyze_logs)


@pytest.fixture
def log(tmp_path):
    path = tmp_path / 'run.log.json'
    records = [dict(mode='train', iter=i, loss=10.0 / i, lr=1e-3, time=t)
               for i, t in zip((1, 20, 40), (9.0, 0.5, 0.25))]
    records.append(dict(mode='val', iter=40, **{'J&F-Mean': 0.5}))
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return str(path)


def test_plot_curve_without_the_plot_extra_says_how_to_install_it(log, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'matplotlib', None)  # import matplotlib -> ImportError
    with pytest.raises(SystemExit, match=r'plot_curve needs matplotlib; install it with'):
        analyze_logs.main(['plot_curve', log, '--keys', 'loss', '--out', str(tmp_path / 'l.png')])


def test_plot_curve(log, tmp_path, capsys):
    require(PLOT_EXTRA)
    out = str(tmp_path / 'loss.png')
    analyze_logs.main(['plot_curve', log, '--keys', 'loss', 'lr', '--out', out])
    assert os.path.getsize(out) > 0 and capsys.readouterr().out == f'saved {out}\n'
    with pytest.raises(SystemExit, match="has no 'acc' entries"):
        analyze_logs.main(['plot_curve', log, '--keys', 'acc', '--out', out])


def test_cal_train_time(log, capsys):
    analyze_logs.main(['cal_train_time', log])
    assert capsys.readouterr().out == (f'{log}: mean 3.2500 s/iter, slowest 9.0000, '
                                       'fastest 0.2500 (3 logged iterations)\n')
