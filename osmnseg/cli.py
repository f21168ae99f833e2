"""What the command-line tools share: the config, device and dtype options and one-line
errors.

An error a user can cause (any :class:`~osmnseg.utils.errors.OsmnsegError`, or an ``OSError``
such as a read-only or vanished file) ends a tool with one line ``error: <message>`` on stderr
and exit status 1; argparse's usage errors exit with status 2. ``--debug`` or the environment
variable ``OSMNSEG_DEBUG=1`` shows the full traceback instead.
"""
import contextlib
import os
import sys

from osmnseg.config import Config, DictAction
from osmnseg.utils.errors import OsmnsegError
from osmnseg.utils.precision import PRECISIONS

DEBUG_ENV = 'OSMNSEG_DEBUG'
DEVICE_CHOICES = ('cpu', 'gpu', 'npu')  # the DEVICES registry's names, as --device takes them


def add_config_options(parser):
    """``--cfg-options KEY=VALUE ...`` and ``--strict`` (an unknown key is an error)."""
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries, e.g. model.backbone.frozen_stages=2 '
                             '(docs/config.md); may be given several times')
    parser.add_argument('--strict', action='store_true',
                        help='an unknown key in --cfg-options is an error instead of a new key')


def add_device_option(parser, purpose='run on'):
    """``--device NAME``; a tool resolves it with ``osmnseg.devices.device_config(cfg,
    args.device)`` (command line > config ``device`` > cpu)."""
    parser.add_argument('--device', choices=DEVICE_CHOICES,
                        help=f"device to {purpose} (default: the config's device, else cpu)")


def add_dtype_option(parser, default=None,
                     help_text="compute dtype (default: the device's inference precision)"):
    """``--dtype NAME``, one of the compute dtypes (``osmnseg.utils.precision.PRECISIONS``)."""
    parser.add_argument('--dtype', choices=PRECISIONS, default=default, help=help_text)


def add_debug_option(parser):
    parser.add_argument('--debug', action='store_true',
                        help=f'show the traceback of an error (or set {DEBUG_ENV}=1)')


def load_config(path, cfg_options, strict=False):
    """``Config.fromfile(path)`` with the ``--cfg-options`` dict merged in (``strict``: an
    unknown key is a ConfigError)."""
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(cfg_options, strict=strict)
    return cfg


def debugging(args=None):
    """Whether tracebacks are wanted: ``--debug`` or ``OSMNSEG_DEBUG`` set to a non-zero value."""
    return bool(getattr(args, 'debug', False)) or os.environ.get(DEBUG_ENV, '0') not in ('', '0')


@contextlib.contextmanager
def one_line_errors(args=None):
    """Turn user errors inside the block into ``error: ...`` and exit status 1.

    Args:
        args: the parsed arguments (their ``debug`` flag lets the error through).
    """
    try:
        yield
    except (OsmnsegError, OSError) as err:
        if debugging(args):
            raise
        sys.exit(f'error: {error_message(err)}')


def error_message(err):
    """The one-line message of a user error (an OSError names its file and the fix)."""
    if isinstance(err, OSError) and not isinstance(err, OsmnsegError):
        target = f'{err.filename}: ' if err.filename else ''
        return (f'{target}{err.strerror or err}; check that the path exists and that you may '
                f'read or write it (set {DEBUG_ENV}=1 for the traceback).')
    return str(err).replace('\n', ' ')
