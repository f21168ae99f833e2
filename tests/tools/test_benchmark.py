"""tools/benchmark.py: argument parsing and the report of each mode on a tiny model."""
import json
import os

import pytest

from requirements import COMPARE_EXTRA, ORIGINAL_CODE, ORIGINAL_OSMN_CODE, require
from tool_loader import load_tool

benchmark = load_tool('benchmark')
ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
OSVOS = os.path.join(ROOT, 'configs', '_base_', 'models', 'osmn_vgg16.py')
TINY = ['--cfg-options', 'model.backbone.width=0.125', 'model.visual_modulator.width=0.125',
        'model.visual_modulator.fc_channels=64']
FAST = ['--size', '32x48', '--frames', '2', '--warmup', '1', '--peak-repeats', '1',
        '--dtype', 'float32']


def test_defaults_and_modes():
    args = benchmark.parse_args([OSVOS])
    assert (args.mode, args.size, args.objects, args.frames, args.data) == (
        'inference', (480, 854), 1, 10, 'synthetic')
    assert benchmark.parse_args([OSVOS, '--train']).size == (400, 400)
    assert benchmark.parse_args([OSVOS, '--train', '--size', '200X300']).size == (200, 300)
    assert benchmark.parse_args([OSVOS, '--video-frames', '50']).mode == 'video'
    assert benchmark.parse_args([OSVOS, '--agreement', '--checkpoint', 'x']).mode == 'agreement'
    args = benchmark.parse_args([OSVOS, '--cfg-options', 'model.backbone.width=0.5'])
    assert args.cfg_options == {'model.backbone.width': 0.5}


@pytest.mark.parametrize('size', ['480', '480x', 'x854', '0x854', '480x-3', 'axb', '480*854'])
def test_bad_sizes_are_rejected(size, capsys):
    with pytest.raises(SystemExit):
        benchmark.parse_args([OSVOS, '--size', size])
    assert 'HEIGHTxWIDTH' in capsys.readouterr().err


@pytest.mark.parametrize('argv, message', [
    (['--data', 'config'], 'only applies to --train'),
    (['--agreement'], '--checkpoint'),
    (['--train', '--video-frames', '3'], 'not allowed with'),
    (['--objects', '0'], 'positive integer'),
    (['--train', '--compare-objects', '1'], 'only applies to the inference'),
    (['--dtype', 'int8'], 'invalid choice'),
    (['--video-frames', '3', '--profile', 'p'], '--profile applies to'),
    (['--kernel-floor'], '--kernel-floor applies to --train'),
])
def test_bad_argument_combinations(argv, message, capsys):
    with pytest.raises(SystemExit):
        benchmark.parse_args([OSVOS] + argv)
    assert message in capsys.readouterr().err


def test_inference_report_and_json(tmp_path, capsys):
    path = tmp_path / 'bench.json'
    result = benchmark.main([OSVOS, '--objects', '2', '--compare-objects', '1',
                             '--json', str(path)] + FAST + TINY)
    saved = json.loads(path.read_text())
    for key in ('frame_ms_median', 'frame_ms_p90', 'fps', 'gflop_per_frame', 'achieved_gflops',
                'peak_gflops', 'peak_fraction', 'guide_ms_per_object', 'peak_rss_mb'):
        assert saved[key] > 0, key
    assert saved['frame_ms_p90'] >= saved['frame_ms_median']
    assert saved['peak_fraction'] == pytest.approx(saved['achieved_gflops'] / saved['peak_gflops'])
    assert (saved['objects'], saved['size'], saved['dtype']) == (2, [32, 48], 'float32')
    assert saved['peak_samples'] == 1 + 2 and saved['rss_growth_mb'] is None  # < 20 frames
    assert saved['objects_time_ratio'] == pytest.approx(
        saved['frame_ms_median'] / saved['compare_frame_ms_median'])
    assert saved['machine']['cores'] >= 1 and result['fps'] == saved['fps']
    out = capsys.readouterr().out
    assert 'fraction of conv peak' in out and f'wrote {path}' in out


def test_train_report_with_synthetic_data(tmp_path):
    path = tmp_path / 'train.json'
    benchmark.main([OSVOS, '--train', '--batch-size', '2', '--json', str(path)] + FAST + TINY)
    saved = json.loads(path.read_text())
    assert saved['mode'] == 'train' and saved['batch_size'] == 2 and saved['data'] == 'synthetic'
    for key in ('iter_s_median', 'images_per_s', 'gflop_per_iter', 'peak_fraction'):
        assert saved[key] > 0, key
    assert 0 <= saved['data_time_fraction'] < 1
    assert saved['images_per_s'] == pytest.approx(2 / saved['iter_s_median'])


def test_video_memory_mode(tmp_path):
    path = tmp_path / 'video.json'
    benchmark.main([OSVOS, '--video-frames', '22', '--size', '32x48', '--objects', '2',
                    '--dtype', 'float32', '--json', str(path)] + TINY)
    saved = json.loads(path.read_text())
    assert saved['mode'] == 'video' and saved['video_frames'] == 22
    assert saved['rss_growth_mb'] is not None and saved['rss_end_mb'] > 0


def test_train_kernel_floor_times_the_steps_ops_alone(tmp_path, capsys):
    path = tmp_path / 'train.json'
    benchmark.main([OSVOS, '--train', '--batch-size', '1', '--kernel-floor', '--json', str(path)]
                   + FAST + TINY)
    saved = json.loads(path.read_text())
    floor = saved['kernel_floor']
    assert 0 < saved['kernel_floor_best_dtype_ms'] <= saved['kernel_floor_ms']
    assert saved['iteration_over_floor'] == saved['iter_s_median'] * 1e3 / saved['kernel_floor_ms']
    # the step's convolutions, forward and backward, and the optimizer's update are all there
    assert {'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Sqrt'} <= set(floor['types'])
    assert 'AssignSubVariableOp' in floor['untimed']['resource or variant input']
    out = capsys.readouterr().out
    assert 'kernel floor: every op of the step run alone' in out
    assert 'kernel floor: ops run alone, summed (ms)' in out


def test_config_without_training_set_is_a_one_line_error():
    with pytest.raises(SystemExit, match='data.train'):
        benchmark.main([OSVOS, '--train', '--data', 'config'] + FAST + TINY)



def test_compare_original_arguments(tmp_path, capsys):
    args = benchmark.parse_args(['--compare-original', str(tmp_path)])
    assert (args.mode, args.config, args.size) == ('compare', None, None)
    for argv, message in ([[OSVOS, '--compare-original', str(tmp_path)], 'give no CONFIG'],
                          [['--compare-original', str(tmp_path / 'no')], 'is not a folder'],
                          [['--compare-original', str(tmp_path), '--objects', '2'], '--objects'],
                          [['--compare-original', str(tmp_path), '--train'], 'not allowed with'],
                          [[], 'config argument is required']):
        with pytest.raises(SystemExit):
            benchmark.parse_args(argv)
        assert message in capsys.readouterr().err, argv


def test_compare_original_at_a_tiny_size(tmp_path, capsys):
    """The three rows of issue 13 at 32x32, one frame: both sides run and the table prints."""
    require(COMPARE_EXTRA, ORIGINAL_OSMN_CODE)
    path = tmp_path / 'compare.json'
    benchmark.main(['--compare-original', ORIGINAL_CODE, '--size', '32x32', '--frames', '1',
                    '--warmup', '1', '--peak-repeats', '1', '--batch-size', '1', '--dtype',
                    'float32', '--json', str(path)])
    saved = json.loads(path.read_text())
    assert saved['mode'] == 'compare' and saved['dtypes'] == ['float32']
    assert [row['work'] for row in saved['rows']] == ['inference', 'inference', 'train']
    for row in saved['rows']:
        ours = row['osmnseg']['float32']
        assert row['size'] == [32, 32] and row['original_ms'] > 0 and row['original_ref_gflops'] > 0
        assert ours['ratio'] == pytest.approx(ours['ms'] / row['original_ms'])
    out = capsys.readouterr().out
    assert 'ratio = osmnseg time / original float32 time' in out and 'tf_slim' in out


def test_profile_writes_a_trace_and_reports_op_times(tmp_path, capsys):
    result = benchmark.main([OSVOS, '--profile', str(tmp_path / 'prof')] + FAST + TINY)
    trace = result['profile']['dir']
    assert trace.startswith(str(tmp_path / 'prof' / 'plugins' / 'profile'))
    assert any(name.endswith('.xplane.pb') for name in os.listdir(trace))
    assert f'profile of 3 more frames/iterations: {trace}' in capsys.readouterr().out


def test_profile_into_a_file_is_refused_before_the_benchmark_runs(tmp_path):
    notes = tmp_path / 'notes.txt'
    notes.write_text('mine')
    with pytest.raises(SystemExit) as info:
        benchmark.main([OSVOS, '--profile', str(notes)] + FAST + TINY)
    assert info.value.code == (f'error: --profile {notes} is a file, not a folder; give a '
                               'folder path.')
    assert notes.read_text() == 'mine'


def test_end_to_end_mode_runs_the_test_set_beside_the_model_alone(tiny_run, capsys):
    config, work_dir, options = tiny_run
    result = benchmark.main([config, '--checkpoint', work_dir, '--end-to-end', '--frames', '2',
                             '--warmup', '1', '--dtype', 'float32', '--cfg-options', *options])
    assert result['mode'] == 'end_to_end' and result['frames_total'] > 0
    assert result['end_to_end_ratio'] == pytest.approx(
        result['end_to_end_fps'] / result['model_alone_fps'])
    assert result['size'] == [32, 64]  # the tiny config's test size
    # the model alone is timed in slices of at least 3 frames, one after each sequence
    assert result['model_alone_frames'] >= 3 and result['model_alone_frames'] % 3 == 0
    assert set(result['stage_ms']) == {'read', 'prepare', 'model', 'merge', 'write'}
    assert all(ms >= 0 for ms in result['stage_ms'].values()) and result['stage_ms']['model'] > 0
    printed = capsys.readouterr().out
    assert 'end to end / model alone' in printed and 'per frame: read' in printed


def test_end_to_end_needs_a_checkpoint_and_split_needs_end_to_end(tiny_run, capsys):
    config, _, _ = tiny_run
    with pytest.raises(SystemExit):
        benchmark.parse_args([config, '--end-to-end'])
    assert '--end-to-end segments real frames: give --checkpoint.' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        benchmark.parse_args([config, '--split', 'val'])
    assert '--split applies to --end-to-end.' in capsys.readouterr().err
