"""Fixtures shared by the whole test suite.

* ``tiny_toyvos``: a tiny ToyVOS set (3 train + 2 val sequences of 6-8 frames at 64x96),
  generated once per session; its parameters equal ``toy`` of tests/runner/configs/tiny_toyvos.py.
* ``run_subprocess``: run a command (``python`` scripts of the repo, shell wrappers) with the
  repository on ``PYTHONPATH``, a time limit, and its output captured.
* ``start_subprocess``: the same, started in the background (``subprocess.Popen``); processes
  still running at the end of the test are killed.

With ``OSMNSEG_REQUIRE=all`` (CI) the session does not start while anything a test needs is
missing: one line names it all (tests/requirements.py).
"""
import os
import subprocess
import sys

import pytest

from requirements import missing_summary, required

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_TOYVOS = dict(num_train=3, num_val=2, height=64, width=96, min_frames=6, max_frames=8,
                   max_objects=2)


def pytest_configure(config):
    """Under ``OSMNSEG_REQUIRE=all``, stop before collecting when a requirement is missing."""
    summary = required() and missing_summary()
    if summary:
        raise pytest.UsageError(summary)


@pytest.fixture(scope='session')
def tiny_toyvos(tmp_path_factory):
    """Root folder of the session's tiny ToyVOS set (DAVIS layout + COCO JSON)."""
    from osmnseg.datasets.toyvos import generate_toyvos
    root = str(tmp_path_factory.mktemp('tiny_toyvos') / 'toyvos')
    generate_toyvos(root, TINY_TOYVOS)
    return root


def subprocess_env(extra_paths=(), **variables):
    """``os.environ`` with the repository (and ``extra_paths``) first on ``PYTHONPATH``, TF's
    C++ logging quiet, and ``variables`` set (a value of None removes the variable)."""
    env = dict(os.environ)
    paths = [REPO, *map(str, extra_paths)] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else [])
    env.update(PYTHONPATH=os.pathsep.join(paths), TF_CPP_MIN_LOG_LEVEL='2')
    for key, value in variables.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def _command(args):
    """``args`` as strings, ``'python'`` as first item replaced by this interpreter."""
    return [sys.executable if args[0] == 'python' else str(args[0]), *map(str, args[1:])]


def _run_subprocess(args, cwd=None, timeout=300, extra_paths=(), env=None, check=True):
    """Run ``args`` (a list; ``'python'`` as first item means this interpreter) and return the
    ``CompletedProcess`` with text ``stdout``/``stderr``; with ``check`` a non-zero exit fails
    the test showing the output's tail."""
    args = _command(args)
    result = subprocess.run(args, cwd=cwd or REPO, capture_output=True, text=True,
                            timeout=timeout, env=env or subprocess_env(extra_paths))
    if check and result.returncode != 0:
        pytest.fail(f'{" ".join(args)} exited with {result.returncode}:\n'
                    f'{result.stdout[-3000:]}\n{result.stderr[-5000:]}')
    return result


@pytest.fixture(scope='session')
def run_subprocess():
    """``run_subprocess(args, cwd=None, timeout=300, extra_paths=(), env=None, check=True)``."""
    return _run_subprocess


@pytest.fixture
def start_subprocess(tmp_path):
    """``start_subprocess(args, cwd=None, extra_paths=(), name='proc', **variables)`` ->
    ``Popen`` writing stdout+stderr to ``tmp_path/<name>.out`` (``.output_path``), with the
    environment variables ``variables`` set; killed at teardown if still alive."""
    processes = []

    def start(args, cwd=None, extra_paths=(), name='proc', **variables):
        out = open(tmp_path / f'{name}.out', 'w')
        process = subprocess.Popen(_command(args), cwd=cwd or REPO, stdout=out,
                                   stderr=subprocess.STDOUT,
                                   env=subprocess_env(extra_paths, **variables))
        process.output_path = str(tmp_path / f'{name}.out')
        processes.append((process, out))
        return process

    yield start
    for process, out in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        out.close()
