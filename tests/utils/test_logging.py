"""get_logger / print_log: format, optional file, no duplicate handlers."""
import logging
import uuid

import pytest

from osmnseg.utils.logging import get_logger, print_log


@pytest.fixture
def name():
    """A fresh logger name, so tests do not share handlers."""
    unique = f'osmnseg_test_{uuid.uuid4().hex[:8]}'
    yield unique
    logger = logging.getLogger(unique)
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


def test_repeated_calls_add_no_duplicate_handlers(name, tmp_path):
    log_file = tmp_path / 'logs' / 'run.log'
    logger = get_logger(name, log_file=str(log_file))
    assert get_logger(name, log_file=str(log_file)) is logger
    assert get_logger(name) is logger
    kinds = sorted(type(h).__name__ for h in logger.handlers)
    assert kinds == ['FileHandler', 'StderrHandler']
    assert logger.propagate is False


def test_file_receives_timestamped_lines_at_the_level(name, tmp_path):
    log_file = tmp_path / 'run.log'
    logger = get_logger(name, log_file=str(log_file), level=logging.WARNING)
    logger.info('hidden')
    logger.warning('disk almost full')
    get_logger(f'{name}.child').warning('from a child')  # reaches the parent's handlers
    lines = log_file.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f' - {name} - WARNING - disk almost full')
    assert lines[0][:4].isdigit() and lines[0][4] == '-'  # starts with the date
    assert lines[1].endswith(f' - {name}.child - WARNING - from a child')


def test_print_log_targets(name, tmp_path, capsys):
    log_file = tmp_path / 'run.log'
    logger = get_logger(name, log_file=str(log_file))
    print_log('to stdout')
    print_log('to the logger', logger=logger)
    print_log('by name', logger=name, level=logging.ERROR)
    print_log('nowhere', logger='silent')
    assert capsys.readouterr().out == 'to stdout\n'
    text = log_file.read_text()
    assert 'INFO - to the logger' in text and 'ERROR - by name' in text
    assert 'nowhere' not in text
    with pytest.raises(TypeError, match='logger must be None'):
        print_log('x', logger=3)


def test_stderr_lines_follow_the_current_stderr(name, capsys):
    logger = get_logger(name)
    logger.info('first')
    assert capsys.readouterr().err.endswith(f' - {name} - INFO - first\n')


def test_later_calls_without_a_file_keep_the_configured_level(name, tmp_path):
    logger = get_logger(name, level=logging.DEBUG)
    assert get_logger(name).level == logging.DEBUG  # a library call does not reset it
    get_logger(name, log_file=str(tmp_path / 'run.log'), level=logging.WARNING)
    assert logger.level == logging.WARNING
    assert {h.level for h in logger.handlers} == {logging.WARNING}
