"""The package's layers (.importlinter, docs/architecture.md) and its import cost.

* every import points down the layers: import-linter's contract is kept;
* the contract really catches an upward import (checked on a copy of the package);
* importing osmnseg, building a Config and listing the data registries stays free of
  TensorFlow (a fresh interpreter, so nothing imported by other tests counts).
"""
import os
import shutil
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACTS = os.path.join(REPO, '.importlinter')
LINT = ('import sys; from importlinter.cli import lint_imports; '
        'sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))')


def lint(run_subprocess, package_parent):
    """import-linter's run over the ``osmnseg`` package found in ``package_parent``."""
    env = dict(os.environ, PYTHONPATH=str(package_parent))
    return run_subprocess(['python', '-c', LINT, CONTRACTS], cwd=str(package_parent), env=env,
                          check=False)


def test_every_import_points_down_the_layers(run_subprocess):
    result = lint(run_subprocess, REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'osmnseg layers only point down KEPT' in result.stdout


def test_an_upward_import_breaks_the_contract(run_subprocess, tmp_path):
    shutil.copytree(os.path.join(REPO, 'osmnseg'), tmp_path / 'osmnseg',
                    ignore=shutil.ignore_patterns('__pycache__'))
    hook = tmp_path / 'osmnseg' / 'runner' / 'hooks' / 'eval_hook.py'
    hook.write_text(hook.read_text() + '\nimport osmnseg.apis.test  # noqa\n')
    result = lint(run_subprocess, tmp_path)
    assert result.returncode == 1
    assert 'osmnseg layers only point down BROKEN' in result.stdout
    assert 'osmnseg.runner.hooks.eval_hook -> osmnseg.apis.test' in result.stdout


def test_config_and_data_registries_do_not_import_tensorflow(run_subprocess):
    script = textwrap.dedent("""
        import sys
        import osmnseg
        from osmnseg.config import Config
        from osmnseg.registry import DATASETS, TRANSFORMS
        cfg = Config.fromfile('configs/osmn_mobilenet_v1_toyvos.py')
        assert 'ToyVOS' in DATASETS.module_dict and 'VisualGuide' in TRANSFORMS.module_dict
        heavy = sorted(name for name in ('tensorflow', 'keras') if name in sys.modules)
        print('heavy:', heavy)
    """)
    result = run_subprocess([sys.executable, '-c', script])
    assert result.stdout.strip().splitlines()[-1] == 'heavy: []'
