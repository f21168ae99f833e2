"""``tools/test.py`` end to end on a tiny ToyVOS set with a tiny random-weight model."""
import glob
import json
import os

import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.evaluation import GLOBAL_COLUMNS

from tool_loader import load_tool

test_tool = load_tool('test')


def test_eval_out_and_show_dir(tiny_run, tmp_path, capsys):
    config, work_dir, options = tiny_run
    out, show, record = tmp_path / 'out', tmp_path / 'show', tmp_path / 'record'
    results = test_tool.main([config, work_dir, '--eval', 'J', 'F', 'mIoU', '--out', str(out),
                              '--show-dir', str(show), '--work-dir', str(record),
                              '--no-progress', '--cfg-options', *options])
    printed = capsys.readouterr().out
    assert 'J&F-Mean' in printed and 'Per object' in printed and 'frames/s' in printed
    names = sorted(results.timing)
    for name in names:
        assert os.listdir(out / name) and (show / f'{name}.gif').is_file()
        first = sorted(os.listdir(out / name))[0]
        with Image.open(out / name / first) as image:
            assert image.mode == 'P' and image.size == (64, 48)  # original size, not 64x32
    [json_path] = glob.glob(str(record / 'eval_*.json'))
    stamp = os.path.basename(json_path)[len('eval_'):-len('.json')]
    assert {p.name for p in record.iterdir()} == {f'global_results_{stamp}.csv',
                                                  f'per-sequence_results_{stamp}.csv',
                                                  f'eval_{stamp}.json'}
    with open(json_path) as f:
        saved = json.load(f)
    assert saved['config'] == config
    assert list(saved['metrics']) == list(GLOBAL_COLUMNS) + ['mIoU']
    assert all(-1 <= v <= 1 for v in saved['metrics'].values())
    assert sorted(saved['timing']['per_sequence_seconds']) == names


def test_record_goes_beside_the_checkpoint_by_default(tiny_run):
    config, work_dir, options = tiny_run
    before = set(glob.glob(os.path.join(work_dir, 'eval_*.json')))
    results = test_tool.main([config, work_dir, '--eval', 'J', '--no-progress',
                              '--cfg-options', *options])
    assert 'J-Mean' in results.global_metrics
    assert set(glob.glob(os.path.join(work_dir, 'eval_*.json'))) - before
    assert glob.glob(os.path.join(work_dir, 'global_results_*.csv'))


def test_online_finetune_option_builds_a_finetuning_segmenter(tiny_run):
    config, work_dir, options = tiny_run
    args = test_tool.parse_args([config, work_dir, '--eval', 'J', '--online-finetune', '7',
                                 '--dtype', 'float32', '--cfg-options', *options])
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(args.cfg_options)
    segmenter = test_tool.build_segmenter(cfg, args)
    assert segmenter.finetuner.iters == 7 and segmenter.finetuner.fix_bn
    assert segmenter.finetuner.model is segmenter.model
    assert segmenter.model.compute_dtype.name == 'float32'
    assert segmenter.settings.size == (32, 64)


@pytest.mark.parametrize('extra, message', [
    ([], 'nothing to do'),
    (['--format-only', '--eval', 'J'], 'without scoring'),
    (['--save-score'], 'give --out DIR'),
])
def test_refuses_incomplete_or_contradictory_requests(tiny_run, capsys, extra, message):
    config, work_dir, _ = tiny_run
    with pytest.raises(SystemExit):
        test_tool.main([config, work_dir, *extra])
    assert message in capsys.readouterr().err


def test_refuses_to_overwrite_existing_results(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    (tmp_path / 'seq').mkdir()
    Image.new('P', (4, 4)).save(tmp_path / 'seq' / '00000.png')
    with pytest.raises(SystemExit, match='--overwrite'):
        test_tool.main([config, work_dir, '--out', str(tmp_path), '--cfg-options', *options])
