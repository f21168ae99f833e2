"""tests/requirements.py and the CI entry: a missing requirement skips on a user's machine, fails
under ``OSMNSEG_REQUIRE=all``, and stops a CI session at once in one line; ``.ci/run`` runs the
README's test command."""
import os
import re

import pytest

import requirements
from requirements import REPO, REQUIRE_ENV, SHARED_ENV, Requirement, missing_summary, require

ABSENT = Requirement('a frobnicator', 'apt-get install frobnicator', lambda: False)
PRESENT = Requirement('python', 'nothing to do', lambda: True)


def test_a_missing_requirement_skips_with_what_and_how(monkeypatch):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    require(PRESENT)  # nothing happens
    with pytest.raises(pytest.skip.Exception,
                       match=r'^missing a frobnicator \(apt-get install frobnicator\)$'):
        require(PRESENT, ABSENT)


def test_under_require_all_a_missing_requirement_fails(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, 'all')
    require(PRESENT)
    with pytest.raises(pytest.fail.Exception, match=r'^OSMNSEG_REQUIRE=all, but missing: '
                                                    r'a frobnicator \(apt-get install frobnicator\)$'):
        require(ABSENT, PRESENT)


def test_another_value_of_the_variable_is_refused(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, 'yes')
    with pytest.raises(pytest.UsageError, match=r"OSMNSEG_REQUIRE='yes': the only value is 'all'"):
        require(ABSENT)


def test_summary_names_a_missing_shared_folder_once(tmp_path, monkeypatch):
    monkeypatch.setattr(requirements, 'SHARED', str(tmp_path / 'shared'))
    parts = [requirements.shared_path(str(tmp_path / 'shared' / name), name)
             for name in ('data', 'weights')]
    assert missing_summary([PRESENT]) is None
    assert missing_summary([PRESENT, ABSENT, *parts]) == (
        f'OSMNSEG_REQUIRE=all, but this machine lacks what the tests need: ../shared at '
        f'{tmp_path / "shared"} (put the shared folder beside the checkout or set '
        f'OSMNSEG_SHARED); a frobnicator (apt-get install frobnicator)')
    (tmp_path / 'shared').mkdir()  # there, but without its parts: each part is named
    assert missing_summary(parts).endswith(
        f'data at {tmp_path / "shared" / "data"} (put the shared folder beside the checkout or '
        f'set OSMNSEG_SHARED); weights at {tmp_path / "shared" / "weights"} (put the shared '
        'folder beside the checkout or set OSMNSEG_SHARED)')


def test_ci_session_without_shared_stops_in_one_line(tmp_path, run_subprocess):
    """The real session start (tests/conftest.py) with ``../shared`` moved away."""
    moved = tmp_path / 'moved_away'
    env = dict(os.environ, **{REQUIRE_ENV: 'all', SHARED_ENV: str(moved)})
    result = run_subprocess(['python', '-m', 'pytest', __file__, '--collect-only', '-q',
                             '-p', 'no:cacheprovider'], env=env, check=False, timeout=120)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, lines
    assert len(lines) == 1 and lines[0].startswith(
        f'ERROR: OSMNSEG_REQUIRE=all, but this machine lacks what the tests need: ../shared at '
        f'{moved} (put the shared folder beside the checkout or set OSMNSEG_SHARED)'), lines


def test_ci_runs_the_readme_test_command_under_require_all():
    with open(os.path.join(REPO, 'README.md')) as f:
        block = re.search(r'```bash\n(.*?)```', f.read(), flags=re.S).group(1)
    commands = block.strip().splitlines()
    assert len(commands) == 2 and commands[1].startswith('pip install -e ".[test')
    assert ' -m pytest tests ' in commands[1] and ' -rs ' in commands[1]
    with open(os.path.join(REPO, '.ci', 'run')) as f:
        script = f.read().splitlines()
    assert 'export OSMNSEG_REQUIRE=all' in script
    assert any(line.startswith(commands[1]) for line in script), commands[1]
