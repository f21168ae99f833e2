"""``generate_toyvos`` / ``ensure_toyvos``: a ToyVOS set in a folder, written safely.

A folder is only ever written when it is empty or holds nothing but a ToyVOS set's own files
(those its manifest lists); anything else there (a user's notes, another data set) stops the
run with a DataError before a byte is touched. The set is generated in a temporary sibling
folder and moved into place at the end, so an interrupted run never leaves a partial set that
looks complete.
"""
import logging
import os
import shutil
import tempfile

from osmnseg.datasets.toyvos.layout import MANIFEST
from osmnseg.datasets.toyvos.manifest import foreign_files, is_current, read_manifest
from osmnseg.datasets.toyvos.params import ToyVOSParams
from osmnseg.datasets.toyvos.writer import write_dataset
from osmnseg.utils.errors import DataError

logger = logging.getLogger(__name__)
MAX_NAMED_FILES = 3


def generate_toyvos(out_dir, params=None, force=False):
    """Write the ToyVOS set into ``out_dir`` unless it is already there with the same params.

    Args:
        out_dir: target folder (created with its parents).
        params: ``ToyVOSParams``, a dict of its fields, or None for the defaults.
        force: regenerate even when the manifest matches.

    Returns:
        The manifest dict (``params``, ``generator_version``, ``file_count``, ``content_hash``,
        and per sequence ``split``, ``num_frames``, ``object_ids``, ``num_distractors``).

    Raises:
        DataError: ``out_dir`` holds a file that is not part of its ToyVOS set.
    """
    params = _as_params(params)
    out_dir = os.path.abspath(out_dir)
    if not force and is_current(out_dir, params):
        return read_manifest(out_dir)
    manifest = read_manifest(out_dir) if os.path.isdir(out_dir) else None
    _check_only_toyvos_files(out_dir, manifest)
    logger.info('ToyVOS: generating %d sequences into %s (%s)', params.num_train + params.num_val,
                out_dir, 'replacing its outdated or incomplete ToyVOS set' if manifest else
                'a new or empty folder')
    os.makedirs(os.path.dirname(out_dir), exist_ok=True)
    work_dir = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.tmp-',
                                dir=os.path.dirname(out_dir))
    try:
        written = write_dataset(work_dir, params)
        _replace_folder(work_dir, out_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return written


def ensure_toyvos(out_dir, params=None):
    """Make sure ``out_dir`` holds the ToyVOS set of ``params``; returns ``out_dir``.

    Cheap when the set is current (reads the manifest and lists the files); otherwise generates
    it with ``generate_toyvos``. Toy configs call this before building their data sets.
    """
    generate_toyvos(out_dir, params)
    return os.path.abspath(out_dir)


def _check_only_toyvos_files(out_dir, manifest):
    """Raise a DataError when ``out_dir`` holds a file its ToyVOS ``manifest`` does not list."""
    if not os.path.isdir(out_dir):
        return
    foreign = foreign_files(out_dir, manifest)
    if not foreign:
        return
    named = ', '.join(foreign[:MAX_NAMED_FILES]) + (', ...' if len(foreign) > MAX_NAMED_FILES
                                                     else '')
    what = f'holds {named}, which its ToyVOS {MANIFEST} does not list' if manifest else \
        f'has no ToyVOS {MANIFEST} and holds {named}'
    raise DataError(f'{out_dir} is not a ToyVOS folder: it {what}; ToyVOS only writes into an '
                    'empty folder or its own, so move those files out or choose another '
                    'data_root.')


def _as_params(params):
    if params is None:
        return ToyVOSParams()
    if isinstance(params, ToyVOSParams):
        return params
    return ToyVOSParams.from_dict(dict(params))


def _replace_folder(new_dir, out_dir):
    """Move the finished ``new_dir`` to ``out_dir``, replacing an older ToyVOS set there."""
    old_dir = None
    if os.path.isdir(out_dir):
        old_dir = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.old-',
                                   dir=os.path.dirname(out_dir))
        os.rename(out_dir, os.path.join(old_dir, 'set'))
    os.rename(new_dir, out_dir)
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)
