"""The README's main job at test scale: ``tools/train.py configs/osmn_mobilenet_v1_toyvos.py``
then ``tools/test.py ... --eval J F`` on its work dir, as two processes like the README's
first command, on the tiny ToyVOS set with quarter widths and a few iterations."""
import glob
import json
import os
import textwrap

from osmnseg.evaluation import GLOBAL_COLUMNS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAIN_CONFIG = os.path.join(REPO, 'configs', 'osmn_mobilenet_v1_toyvos.py')


def test_main_job_trains_then_prints_the_jf_table(tmp_path, tiny_toyvos, run_subprocess):
    config = tmp_path / 'main_job.py'
    config.write_text(textwrap.dedent(f"""\
        _base_ = {MAIN_CONFIG!r}
        model = dict(backbone=dict(width=0.25), visual_modulator=dict(width=0.25))
        test_cfg = dict(size=(64, 96))
        data = dict(train_loader=dict(base_size=(64, 96)),
                    train=dict(data_root={tiny_toyvos!r}), val=dict(data_root={tiny_toyvos!r}),
                    test=dict(data_root={tiny_toyvos!r}))
        runner = dict(max_iters=4)
        checkpoint_config = dict(interval=2)
        log_config = dict(interval=1, image_interval=2)
        """))
    work_dir = tmp_path / 'work_dir'
    run_subprocess(['python', 'tools/train.py', config, '--work-dir', work_dir])
    with open(work_dir / 'last_checkpoint') as f:
        assert f.read().strip() == 'iter_4'
    assert (work_dir / 'main_job.py').is_file()

    printed = run_subprocess(['python', 'tools/test.py', config, work_dir, '--eval', 'J', 'F',
                              '--no-progress']).stdout
    header = next(line for line in printed.splitlines() if 'J&F-Mean' in line)
    assert [c.strip() for c in header.strip('|').split('|')] == list(GLOBAL_COLUMNS)
    [record] = glob.glob(str(work_dir / 'eval_*.json'))
    with open(record) as f:
        metrics = json.load(f)['metrics']
    assert list(metrics) == list(GLOBAL_COLUMNS)
    assert 0 <= metrics['J&F-Mean'] <= 1
    assert metrics['J&F-Mean'] == (metrics['J-Mean'] + metrics['F-Mean']) / 2
