"""What the tools refuse (docs/refusals.md): code named in configuration values, output paths
that would lose or cannot hold files, bad config paths. Each refusal is one ``error:`` line;
the files that would have been lost are checked to be intact and no marker file may appear."""
import os
import shutil
import sys

import pytest

from osmnseg.utils.errors import ConfigError
from tool_loader import load_tool

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(TESTS, 'datasets'))
from vos_layouts import write_davis, write_frame  # noqa: E402  (shared with tests/datasets)

test_tool = load_tool('test')
train = load_tool('train')
infer_video = load_tool('infer_video')
export_tool = load_tool('export')
convert = load_tool('convert_checkpoint')
eval_davis = load_tool('eval_davis')
benchmark = load_tool('benchmark')


def one_error_line(run):
    """Run ``run()``, expect a one-line ``error:`` exit with status 1; return the line."""
    with pytest.raises(SystemExit) as info:
        run()
    message = info.value.code
    assert isinstance(message, str) and message.startswith('error: '), message
    assert '\n' not in message
    return message


@pytest.fixture
def mine(tmp_path):
    """A file of the user's that a refused command must leave intact."""
    path = tmp_path / 'MY_NOTES.txt'
    path.write_text('my notes')
    yield str(path)
    assert path.read_text() == 'my notes'


# ---------------------------------------------------------------------------- code from config
@pytest.mark.parametrize('model', [
    "{'_delete_': True, 'type': 'os.system', 'command': 'touch MARKER'}",
    "{'_delete_': True, 'type': 'subprocess.call', 'args': 'touch MARKER', 'shell': True}",
    "{'_delete_': True, 'type': 'builtins.exec', 'source': 'open(\"MARKER\", \"w\")'}",
    "{'_delete_': True, 'type': 'subprocess.Popen', 'args': 'touch MARKER', 'shell': True}",
])
def test_test_tool_never_calls_a_dotted_function_from_cfg_options(tiny_run, tmp_path, model,
                                                                  monkeypatch):
    config, work_dir, options = tiny_run
    monkeypatch.chdir(tmp_path)
    message = one_error_line(lambda: test_tool.main(
        [config, work_dir, '--eval', 'J', '--no-progress', '--cfg-options', *options,
         f'model={model}']))
    assert "config entry 'model': '" in message and 'is not in the segmentor registry' in message
    assert "custom_imports = dict(imports=['my_package.my_module'])" in message
    assert not (tmp_path / 'MARKER').exists()


def test_class_of_another_base_from_a_custom_import_is_refused(tiny_run, tmp_path, monkeypatch):
    config, work_dir, options = tiny_run
    marker = tmp_path / 'MARKER'
    (tmp_path / 'user_things.py').write_text(
        'class NotAModel:\n'
        f'    def __init__(self, **kwargs):\n        open({str(marker)!r}, "w").close()\n')
    user_config = tmp_path / 'user_config.py'
    user_config.write_text(f"_base_ = {config!r}\ncustom_imports = dict(imports=['user_things'])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    message = one_error_line(lambda: test_tool.main(
        [str(user_config), work_dir, '--eval', 'J', '--cfg-options', *options,
         "model={'_delete_': True, 'type': 'user_things.NotAModel'}"]))
    assert "<class 'user_things.NotAModel'> is not a segmentor class" in message
    assert 'a dotted type must name a subclass of osmnseg.models.layers.base.Module' in message
    assert not marker.exists()


def test_custom_imports_cannot_come_from_the_command_line(tiny_run, capsys):
    config, work_dir, _ = tiny_run
    with pytest.raises(SystemExit):
        test_tool.main([config, work_dir, '--eval', 'J', '--cfg-options',
                        "custom_imports={'imports': ['antigravity']}"])
    assert 'sets custom_imports, which imports code' in capsys.readouterr().err


def test_train_never_calls_a_dotted_function_in_custom_hooks(tiny_run, tmp_path, run_subprocess):
    config, _, options = tiny_run
    marker = tmp_path / 'MARKER'
    result = run_subprocess(
        ['python', 'tools/train.py', config, '--work-dir', tmp_path / 'work_dir', '--no-validate',
         '--cfg-options', *options, 'runner.max_iters=1',
         f"custom_hooks=[{{'type': 'os.system', 'command': 'touch {marker}'}}]"], check=False)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: config entry 'custom_hooks.0': 'os.system' is not in the hook "
                           'registry; a dotted type must name a subclass of '
                           'osmnseg.runner.hooks.hook.Hook'), result.stderr[-2000:]
    assert 'Traceback' not in result.stderr and not marker.exists()


# ---------------------------------------------------------------------------- work dirs
@pytest.fixture
def trained_work_dir(tiny_run, tmp_path):
    """A copy of the tiny run's work dir (a checkpoint and last_checkpoint)."""
    work_dir = shutil.copytree(tiny_run[1], tmp_path / 'work_dir')
    return str(work_dir), sorted(os.listdir(work_dir))


def test_train_refuses_a_work_dir_with_checkpoints_without_resume(tiny_run, trained_work_dir):
    config = tiny_run[0]
    work_dir, files = trained_work_dir
    message = one_error_line(lambda: train.main([config, '--work-dir', work_dir]))
    assert message == (f'error: work dir {work_dir} already holds checkpoints of a run; pass '
                       '--resume to continue it, another --work-dir for a new run, or '
                       '--overwrite to start over there (its checkpoints will be replaced).')
    assert sorted(os.listdir(work_dir)) == files
    assert open(os.path.join(work_dir, 'last_checkpoint')).read() == 'iter_1\n'
    one_error_line(lambda: train.main([config, '--work-dir', work_dir, '--load-from', work_dir]))
    for accepted in (['--resume'], ['--overwrite']):
        args = train.parse_args([config, '--work-dir', work_dir, *accepted])
        train.check_work_dir(train.merge_args(train.Config.fromfile(config), args), args)


# ---------------------------------------------------------------------------- output paths
def output_commands(tiny_run, path, mine):
    """Every tool with ``path`` where it needs a folder (``mine``: an existing file)."""
    config, work_dir, options = tiny_run
    davis = os.path.dirname(mine)
    return {
        'test --out': lambda: test_tool.main([config, work_dir, '--out', path,
                                              '--cfg-options', *options]),
        'test --show-dir': lambda: test_tool.main([config, work_dir, '--show-dir', path,
                                                   '--cfg-options', *options]),
        'test --work-dir': lambda: test_tool.main([config, work_dir, '--eval', 'J', '--work-dir',
                                                   path, '--cfg-options', *options]),
        'train --work-dir': lambda: train.main([config, '--work-dir', path,
                                                '--cfg-options', *options]),
        'infer_video --out': lambda: infer_video.main([config, work_dir, '--frames', davis,
                                                       '--mask', mine, '--out', path]),
        'export --out': lambda: export_tool.main([config, work_dir, '--out', path]),
        'convert --out': lambda: convert.main([work_dir, '--config', config, '--out', path]),
        'eval_davis --out': lambda: eval_davis.main([davis, davis, '--out', path]),
    }


@pytest.mark.parametrize('tool', ['test --out', 'test --show-dir', 'test --work-dir',
                                  'train --work-dir', 'infer_video --out', 'export --out',
                                  'convert --out', 'eval_davis --out'])
def test_an_output_folder_that_is_a_file_is_one_error_line(tiny_run, mine, tool):
    message = one_error_line(output_commands(tiny_run, mine, mine)[tool])
    assert f'{mine} is a file, not a folder; give a folder path.' in message


@pytest.mark.parametrize('tool', ['test --out', 'train --work-dir', 'infer_video --out',
                                  'export --out'])
def test_a_read_only_output_folder_is_one_error_line(tiny_run, mine, tool, monkeypatch):
    folder = os.path.dirname(mine)
    access = os.access
    # this runs as root, who may write anywhere: a read-only folder is simulated
    monkeypatch.setattr(os, 'access', lambda path, mode: path != folder and access(path, mode))
    message = one_error_line(output_commands(tiny_run, os.path.join(folder, 'new'), mine)[tool])
    assert f'cannot be written: {folder} is read-only; choose another folder.' in message


def test_os_errors_while_writing_are_one_line_and_debug_shows_them(tmp_path, monkeypatch):
    from osmnseg.cli import one_line_errors

    def fail():
        raise PermissionError(13, 'Permission denied', str(tmp_path / 'x.png'))

    with pytest.raises(SystemExit) as info:
        with one_line_errors():
            fail()
    assert info.value.code.startswith(f'error: {tmp_path / "x.png"}: Permission denied; check')
    monkeypatch.setenv('OSMNSEG_DEBUG', '1')
    with pytest.raises(PermissionError):
        with one_line_errors():
            fail()


# ---------------------------------------------------------------------------- test.py folders
def test_show_dir_with_results_is_refused_unless_overwrite(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    show = tmp_path / 'show'
    (show / 'seq').mkdir(parents=True)
    (show / 'seq.gif').write_bytes(b'my overlays')
    message = one_error_line(lambda: test_tool.main(
        [config, work_dir, '--show-dir', str(show), '--cfg-options', *options]))
    assert message == (f'error: --show-dir {show} already holds results; choose another folder '
                       'or pass --overwrite to replace them.')
    assert (show / 'seq.gif').read_bytes() == b'my overlays'


def test_save_score_into_a_folder_with_scores_is_refused(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    (tmp_path / 'seq' / '1').mkdir(parents=True)
    (tmp_path / 'seq' / '1' / '00001.npy').write_bytes(b'my scores')
    message = one_error_line(lambda: test_tool.main(
        [config, work_dir, '--out', str(tmp_path), '--save-score', '--cfg-options', *options]))
    assert 'already holds results' in message
    assert (tmp_path / 'seq' / '1' / '00001.npy').read_bytes() == b'my scores'


def test_out_equal_to_show_dir_is_refused_even_with_overwrite(tiny_run, tmp_path):
    config, work_dir, options = tiny_run
    message = one_error_line(lambda: test_tool.main(
        [config, work_dir, '--out', str(tmp_path / 'r'), '--show-dir', str(tmp_path / 'r/'),
         '--overwrite', '--cfg-options', *options]))
    assert message == (f'error: --out and --show-dir are both {tmp_path / "r"}: the overlays would '
                       'replace the result PNGs; give two different folders.')


@pytest.mark.parametrize('eval_args', [['--eval', 'J'], ['--out', 'unused_out']])
def test_davis_frames_of_different_sizes_are_one_error_line(tiny_run, tmp_path, eval_args,
                                                            monkeypatch):
    config, work_dir, _ = tiny_run
    root = write_davis(str(tmp_path / 'DAVIS'))
    odd = os.path.join(root, 'JPEGImages', '480p', 'single', '00001.jpg')
    write_frame(odd, size=(40, 48))
    monkeypatch.chdir(tmp_path)
    message = one_error_line(lambda: test_tool.main(
        [config, work_dir, *eval_args, '--cfg-options',
         f"data.test={{'_delete_': True, 'type': 'DAVIS', 'data_root': '{root}', "
         "'split': 'val'}"]))
    assert message.endswith(f'{odd} is 48x40 (WxH) but {odd[:-5]}0.jpg is 48x32; all frames '
                            "of sequence 'single' must have one size.")
    assert not (tmp_path / 'unused_out').exists()


# ---------------------------------------------------------------------------- config paths
@pytest.mark.parametrize('tool', ['test', 'train', 'infer_video', 'export', 'benchmark'])
def test_a_config_path_that_is_a_folder_is_one_error_line(tiny_run, tmp_path, tool):
    _, work_dir, _ = tiny_run
    folder = str(tmp_path)
    argv = {'test': lambda: test_tool.main([folder, work_dir, '--eval', 'J']),
            'train': lambda: train.main([folder, '--work-dir', str(tmp_path / 'w')]),
            'infer_video': lambda: infer_video.main([folder, work_dir, '--frames', folder,
                                                     '--mask', 'm.png', '--out', 'o']),
            'export': lambda: export_tool.main([folder, work_dir, '--out', str(tmp_path / 'e')]),
            'benchmark': lambda: benchmark.main([folder])}[tool]
    message = one_error_line(argv)
    assert message == (f'error: Config path {folder} is a folder; give the path of a .py config '
                       'file in it.')


def test_a_config_nested_too_deeply_is_one_error_line(tmp_path):
    config = tmp_path / 'deep.py'
    config.write_text('a = {}\nfor i in range(5000):\n    a = dict(x=a)\n')
    message = one_error_line(lambda: train.main([str(config), '--work-dir', str(tmp_path / 'w')]))
    assert message == (f'error: Config file {config} is nested too deeply for Python to process '
                       '(it hit the recursion limit); flatten its dicts and lists.')


def test_train_strict_rejects_an_unknown_key(tiny_run, tmp_path):
    config = tiny_run[0]
    message = one_error_line(lambda: train.main(
        [config, '--work-dir', str(tmp_path / 'w'), '--strict', '--cfg-options',
         'model.backbone.widht=0.25']))
    assert message == ("error: Config key 'model.backbone.widht' does not exist (strict mode) "
                       "(did you mean 'model.backbone.width'?); fix the key, or leave strict "
                       'mode to add it.')


def test_debug_shows_the_exception_instead_of_one_line(tmp_path):
    with pytest.raises(ConfigError, match='is a folder'):
        train.main([str(tmp_path), '--debug'])


def test_benchmark_json_that_is_a_folder_is_a_usage_error(tiny_run, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        benchmark.parse_args([tiny_run[0], '--json', str(tmp_path)])
    assert info.value.code == 2
    assert (f'error: --json {tmp_path} is a folder; give a file name such as '
            f'{tmp_path / "benchmark.json"}.') in capsys.readouterr().err
