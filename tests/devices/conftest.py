"""Fixtures shared by the device tests."""
import logging

import pytest

from osmnseg.utils.logging import get_logger


class _ListHandler(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(f'{record.levelname}: {record.getMessage()}')


@pytest.fixture
def device_log():
    """The list of messages the devices log to the 'osmnseg' logger during a test."""
    handler = _ListHandler()
    logger = get_logger()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)
