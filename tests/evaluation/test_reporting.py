"""Tables, the official CSV layout and the evaluation JSON."""
import datetime
import json
import os

import pytest

from osmnseg.evaluation.davis_eval import DavisResults, ObjectScores
from osmnseg.evaluation.reporting import (eval_json_name, per_object_table, run_stamp,
                                          summary_table, write_csvs, write_eval_json)


@pytest.fixture
def results():
    return DavisResults((
        ObjectScores('bike', 1, 0.8, 1.0, 0.1, 0.7, 0.9, 0.2),
        ObjectScores('bike', 2, 0.4, 0.5, 0.3, 0.5, 0.5, 0.0),
        ObjectScores('swan', 1, 0.6, 0.75, -0.05, 0.9, 1.0, float('nan')),
    ))


def test_csvs_follow_the_official_layout(tmp_path, results):
    global_path, sequence_path = write_csvs(str(tmp_path / 'out'), results, 'run1')
    assert global_path.endswith('global_results_run1.csv')
    assert open(global_path).read() == (
        'J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay\n'
        '0.650,0.600,0.750,0.117,0.700,0.800,\n')  # F-Decay NaN: an empty field, as pandas
    assert sequence_path.endswith('per-sequence_results_run1.csv')
    assert open(sequence_path).read() == ('Sequence,J-Mean,F-Mean\n'
                                          'bike_1,0.800,0.700\n'
                                          'bike_2,0.400,0.500\n'
                                          'swan_1,0.600,0.900\n')


def test_tables_show_percent(results):
    summary = summary_table(results)
    assert 'J&F-Mean' in summary and 'F-Decay' in summary
    assert '| 65.0     | 60.0   | 75.0     | 11.7    | 70.0   | 80.0     | nan     |' in summary
    rows = per_object_table(results)
    assert '| bike_2 | 40.0   | 50.0     | 30.0    | 50.0   | 50.0     | 0.0     |' in rows
    assert 'swan_1' in rows


def test_eval_json_holds_fractions_under_official_names(tmp_path, results):
    path = tmp_path / 'work' / 'eval_x.json'
    write_eval_json(str(path), 'configs/a.py', results, timing={'bike': 1.5, 'swan': 0.5},
                    extra_metrics={'mIoU': 0.6})
    record = json.loads(path.read_text())
    assert record['config'] == 'configs/a.py'
    assert record['metrics'] == {'J&F-Mean': pytest.approx(0.65), 'J-Mean': pytest.approx(0.6),
                                 'J-Recall': 0.75, 'J-Decay': pytest.approx(0.35 / 3),
                                 'F-Mean': pytest.approx(0.7), 'F-Recall': pytest.approx(0.8),
                                 'F-Decay': None, 'mIoU': 0.6}
    assert record['per_object']['bike_2'] == {'J-Mean': 0.4, 'F-Mean': 0.5}
    assert record['timing'] == {'per_sequence_seconds': {'bike': 1.5, 'swan': 0.5},
                                'total_seconds': 2.0}


def test_eval_json_name():
    assert eval_json_name('20260102_030405') == 'eval_20260102_030405.json'


def test_each_run_gets_new_record_names_and_old_ones_stay(tmp_path, results):
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    first = run_stamp(str(tmp_path), now)
    paths = write_csvs(str(tmp_path), results, first)
    write_eval_json(str(tmp_path / eval_json_name(first)), 'a.py', results)
    earlier = {p.name: p.read_text() for p in tmp_path.iterdir()}
    second = run_stamp(str(tmp_path), now)  # the same second: a suffix, not the same names
    assert (first, second) == ('20260102_030405', '20260102_030405_2')
    write_csvs(str(tmp_path), results, second)
    assert {p.name: p.read_text() for p in tmp_path.iterdir() if p.name in earlier} == earlier
    assert len(list(tmp_path.iterdir())) == 5
    with pytest.raises(FileExistsError):  # an explicit existing name is never replaced
        write_csvs(str(tmp_path), results, first)
    with pytest.raises(FileExistsError):
        write_eval_json(str(tmp_path / eval_json_name(first)), 'b.py', results)
    assert open(paths[0]).read() == earlier[os.path.basename(paths[0])]
