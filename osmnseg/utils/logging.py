"""One logger for the whole toolkit: timestamped lines on stderr and, optionally, in a file.

    >>> logger = get_logger(log_file='work_dirs/run/train.log')
    >>> logger.info('start')      # 2026-11-26 08:00:00,000 - osmnseg - INFO - start
"""
import logging
import os
import sys

LOG_FORMAT = '%(asctime)s - %(name)s - %(levelname)s - %(message)s'


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at emit time (tests and notebooks replace it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; the property ignores it
        pass


def get_logger(name='osmnseg', log_file=None, level=logging.INFO, file_mode='a'):
    """Return the named logger, configured on first use with a stderr handler.

    Later calls without ``log_file`` return the logger as it is (library modules call
    ``get_logger()`` freely without resetting what the entry point chose); a call with a new
    ``log_file`` adds a file handler and applies ``level`` again. Handlers are never duplicated.

    Args:
        name: logger name; a child name (``'osmnseg.runner'``) of a configured logger is returned
            unconfigured and reaches the parent's handlers by propagation.
        log_file: path of a log file to add (its folder is created); None for stderr only.
        level: logging level of the logger and of its handlers, applied when configuring.
        file_mode: ``'a'`` appends to an existing log file (resume), ``'w'`` truncates it.
    """
    logger = logging.getLogger(name)
    has_stream = any(isinstance(h, StderrHandler) for h in logger.handlers)
    if log_file is None and (has_stream or _is_child_of_configured(logger)):
        return logger
    # Our handlers print the lines; propagating to the root logger would print them twice.
    logger.propagate = False
    formatter = logging.Formatter(LOG_FORMAT)
    if not has_stream:
        stream_handler = StderrHandler()
        stream_handler.setFormatter(formatter)
        logger.addHandler(stream_handler)
    if log_file is not None:
        path = os.path.abspath(log_file)
        if not any(isinstance(h, logging.FileHandler) and h.baseFilename == path
                   for h in logger.handlers):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            file_handler = logging.FileHandler(path, mode=file_mode, encoding='utf-8')
            file_handler.setFormatter(formatter)
            logger.addHandler(file_handler)
    logger.setLevel(level)
    for handler in logger.handlers:
        handler.setLevel(level)
    return logger


def _is_child_of_configured(logger):
    """True for ``'a.b'`` when ``'a'`` has handlers: the child reaches them by propagation."""
    parent = logger.parent
    while parent is not None and parent.name != 'root':
        if parent.handlers:
            return True
        parent = parent.parent
    return False


def print_log(msg, logger=None, level=logging.INFO):
    """Print ``msg`` through a logger, or with ``print`` when no logger is given.

    Args:
        msg: the message.
        logger: None (``print``), a ``logging.Logger``, a logger name, or ``'silent'``.
        level: logging level used with a logger.
    """
    if logger is None:
        print(msg)
    elif logger == 'silent':
        return
    elif isinstance(logger, logging.Logger):
        logger.log(level, msg)
    elif isinstance(logger, str):
        get_logger(logger).log(level, msg)
    else:
        raise TypeError(f'logger must be None, a logging.Logger, a name or "silent", '
                        f'got {type(logger).__name__}')
