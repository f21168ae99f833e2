"""Fixtures of the runner tests (helpers live in runner_utils.py)."""
import logging

import pytest


class LogCapture(logging.Handler):
    """Collect the messages of a logger (``.messages``: 'LEVEL: text')."""

    def __init__(self, logger):
        super().__init__()
        self.messages = []
        logger.addHandler(self)

    def emit(self, record):
        self.messages.append(f'{record.levelname}: {record.getMessage()}')


@pytest.fixture
def capture_logs():
    """``capture_logs(runner)`` -> the list of messages its logger emits from now on."""
    handlers = []

    def attach(runner):
        handlers.append((runner.logger, LogCapture(runner.logger)))
        return handlers[-1][1].messages

    yield attach
    for logger, handler in handlers:
        logger.removeHandler(handler)
