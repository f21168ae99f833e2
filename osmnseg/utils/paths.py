"""Checks of the output folders a user names, made before anything is computed or written."""
import os

from osmnseg.utils.errors import OutputError


def check_writable_dir(path, what):
    """Raise unless ``path`` is a folder, or can be created as one, that this process may write.

    Args:
        path: the output folder as the user gave it.
        what: how the user gave it, named in the message (e.g. ``'--out'``, ``'work dir'``).

    Raises:
        OutputError: ``path`` (or a folder above it) is a file, or the nearest existing folder
            at or above it is read-only.
    """
    path = os.path.abspath(os.path.expanduser(str(path)))
    existing = path
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        where = 'is a file' if existing == path else f'cannot be created: {existing} is a file'
        raise OutputError(f'{what} {path} {where}, not a folder; give a folder path.')
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f'{what} {path} cannot be written: {existing} is read-only; choose '
                          'another folder.')
