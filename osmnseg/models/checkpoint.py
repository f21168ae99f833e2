"""Native osmnseg checkpoints on disk, and ``load_checkpoint`` for any supported checkpoint.

A work dir holds object-graph TF checkpoints (``tf.train.Checkpoint(model=..., **extra)``)::

    work_dir/
      iter_4000.index  iter_4000.data-00000-of-00001  iter_4000.json
      iter_5000.index  iter_5000.data-00000-of-00001  iter_5000.json
      best_JF_Mean.index  best_JF_Mean.data-00000-of-00001  best_JF_Mean.json
      last_checkpoint            # one line: "iter_5000"

Every file is written under a temporary name and renamed, the ``.index`` last; ``last_checkpoint``
is replaced atomically after the checkpoint is complete, so a crash at any moment leaves the
previous checkpoint usable. The ``.json`` meta file holds the caller's meta (config text,
metrics, ...) plus the iteration and the osmnseg/TensorFlow versions.
"""
import datetime
import json
import logging
import os
import re

import tensorflow as tf

from osmnseg.models.checkpoint_import import NATIVE_ROOT, import_checkpoint, restore_objects
from osmnseg.utils.errors import CheckpointError
from osmnseg.version import __version__

LAST_CHECKPOINT = 'last_checkpoint'
_ITER_NAME = re.compile(r'^iter_(\d+)$')
_DATA_SHARD = re.compile(r'\.data-\d{5}-of-\d{5}$')


def save_checkpoint(directory, iteration, model, meta=None, *, max_keep=None, name=None,
                    update_last=True, **trackables):
    """Write a native checkpoint atomically and return its prefix.

    Args:
        directory: the work dir (created if needed).
        iteration: the training iteration the checkpoint holds (stored in the meta file).
        model: the OSMN module, saved under the name ``model``.
        meta: JSON-serialisable dict stored in ``<prefix>.json`` (config text, metrics, ...).
        max_keep: keep at most this many ``iter_*`` checkpoints (None or 0: keep all); the one
            ``last_checkpoint`` names and the ``best_*`` ones are never removed.
        name: checkpoint basename; default ``iter_<iteration>``.
        update_last: point ``last_checkpoint`` at this checkpoint (False for ``best_*`` copies).
        **trackables: further objects to save (optimizer, step, RNG, ...), restored by name.

    Returns:
        the checkpoint prefix ``<directory>/<name>``.
    """
    os.makedirs(directory, exist_ok=True)
    name = name or f'iter_{iteration}'
    prefix = os.path.join(directory, name)
    temporary = os.path.join(directory, f'.tmp_{name}')
    _remove_checkpoint_files(temporary)  # leftovers of a save that crashed
    checkpoint = tf.train.Checkpoint(**{NATIVE_ROOT: model}, **trackables)
    # restore() always creates the counter; saving it lets a strict restore match every object.
    checkpoint.save_counter.assign_add(1)
    checkpoint.write(temporary)
    written = []
    # The .index makes a checkpoint visible to readers, so it is renamed last.
    for path in sorted(_checkpoint_files(temporary), key=lambda p: p.endswith('.index')):
        written.append(prefix + path[len(temporary):])
        os.replace(path, written[-1])
    for path in _checkpoint_files(prefix):  # shards of an older save under the same name
        if path not in written:
            os.remove(path)
    meta = dict(meta or {}, checkpoint=name, iteration=int(iteration),
                osmnseg_version=__version__, tensorflow_version=tf.__version__,
                saved_at=datetime.datetime.now(datetime.timezone.utc).isoformat())
    _write_atomically(prefix + '.json', json.dumps(meta, indent=2, default=_to_json))
    if update_last:
        _write_atomically(os.path.join(directory, LAST_CHECKPOINT), name + '\n')
    if max_keep:
        prune_checkpoints(directory, max_keep)
    return prefix


def prune_checkpoints(directory, max_keep):
    """Delete all but the newest ``max_keep`` ``iter_*`` checkpoints of ``directory``.

    The checkpoint ``last_checkpoint`` names is always kept, and ``best_*`` ones are never
    touched.
    """
    pointed = _read_last_checkpoint(directory)
    for prefix in iteration_checkpoints(directory)[max_keep:]:
        if os.path.basename(prefix) != pointed:
            _remove_checkpoint_files(prefix)


def iteration_checkpoints(directory):
    """The ``iter_<N>`` prefixes of ``directory`` that have an index file, newest first."""
    found = []
    for filename in os.listdir(directory):
        match = _ITER_NAME.match(filename[:-len('.index')]) if filename.endswith('.index') else None
        if match:
            found.append((int(match.group(1)), os.path.join(directory, match.group(0))))
    return [prefix for _, prefix in sorted(found, reverse=True)]


def holds_checkpoint(directory):
    """Whether ``directory`` holds a ``last_checkpoint`` file or an ``iter_<N>`` checkpoint."""
    return os.path.isdir(directory) and (
        os.path.exists(os.path.join(directory, LAST_CHECKPOINT))
        or bool(iteration_checkpoints(directory)))


def resolve_checkpoint(path):
    """Turn a user-given path into a checkpoint prefix, without reading the checkpoint.

    Args:
        path: a work dir (its ``last_checkpoint``, or the TF ``checkpoint`` state file of an
            original OSMN model dir), a checkpoint prefix, one file of a checkpoint
            (``x.index``, ``x.data-00000-of-00001``) or a single-file TF1 checkpoint.

    Raises:
        CheckpointError: nothing at ``path`` is a checkpoint.
    """
    if os.path.isdir(path):
        pointed = _read_last_checkpoint(path)
        if pointed is not None:
            return os.path.join(path, pointed)
        latest = tf.train.latest_checkpoint(path)
        if latest is not None:
            return latest
        raise CheckpointError(f'directory {path} holds no {LAST_CHECKPOINT} file; pass a '
                              f'checkpoint prefix such as {os.path.join(path, "iter_1000")}.')
    prefix = _DATA_SHARD.sub('', path[:-len('.index')] if path.endswith('.index') else path)
    if os.path.isfile(prefix + '.index') or os.path.isfile(prefix):
        return prefix
    raise CheckpointError(f'no checkpoint at {path}: expected a work dir with a '
                          f'{LAST_CHECKPOINT} file or a checkpoint prefix with a .index file.')


def validate_checkpoint(prefix):
    """Read every tensor of a checkpoint (checksums included) and return its reader.

    Raises:
        CheckpointError: the checkpoint is missing, truncated or corrupted.
    """
    try:
        reader = tf.train.load_checkpoint(prefix)
        for key in reader.get_variable_to_shape_map():
            reader.get_tensor(key)
    except (tf.errors.OpError, ValueError, IndexError) as err:
        raise CheckpointError(f'checkpoint {prefix} cannot be read ({type(err).__name__}); it is '
                              f'missing, truncated or corrupted.') from err
    return reader


def find_usable_checkpoint(directory, logger=None):
    """Return the prefix of the newest readable checkpoint of a work dir.

    The checkpoint ``last_checkpoint`` names is tried first, then the other ``iter_*`` ones,
    newest first; every unreadable one is reported as a warning.

    Raises:
        CheckpointError: no checkpoint of ``directory`` can be read.
    """
    logger = logger or logging.getLogger(__name__)
    if not os.path.isdir(directory):
        raise CheckpointError(f'work dir {directory} does not exist; check the path.')
    candidates = [resolve_checkpoint(directory)] if _has_pointer(directory) else []
    candidates += [prefix for prefix in iteration_checkpoints(directory)
                   if prefix not in candidates]
    for prefix in candidates:
        try:
            validate_checkpoint(prefix)
        except CheckpointError as err:
            logger.warning('%s Trying the previous checkpoint.', err)
            continue
        return prefix
    raise CheckpointError(f'directory {directory} holds no readable checkpoint (tried '
                          f'{len(candidates)}); start without resuming or pass another one.')


def restore_checkpoint(prefix, model, **trackables):
    """Restore a native checkpoint written by ``save_checkpoint`` (exact resume).

    Every object passed must be found in the checkpoint (objects created later, such as
    optimizer slots, are restored when they are created).

    Args:
        prefix: the checkpoint prefix (see ``resolve_checkpoint``/``find_usable_checkpoint``).
        model: the OSMN module.
        **trackables: the further objects saved with it, by the same names.

    Returns:
        the checkpoint's meta dict (``read_meta``).

    Raises:
        CheckpointError: the checkpoint is unreadable or does not hold these objects.
    """
    validate_checkpoint(prefix)
    restore_objects(prefix, True, **{NATIVE_ROOT: model}, **trackables)
    model.reapply_fixed_weights()
    return read_meta(prefix)


def read_meta(prefix):
    """The meta dict of ``<prefix>.json``; ``{}`` for checkpoints written by other tools.

    Raises:
        CheckpointError: the meta file exists but is not valid JSON.
    """
    path = prefix + '.json'
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        raise CheckpointError(f'meta file {path} cannot be read ({err}); delete or repair it.') \
            from err


def load_checkpoint(model, path, strict=False, logger=None, partial=False):
    """Load weights into ``model`` from a native, original OSMN, TF-slim or DeepLab checkpoint.

    The naming scheme is detected from the stored names (see ``checkpoint_import``); name-based
    checkpoints are matched by name and shape, native ones are restored through the object graph
    (optimizer state and the like in it are ignored). The fixed bilinear deconv kernels are
    re-applied afterwards and the report's table is logged.

    Args:
        model: the OSMN module (``reference_variables()``, ``reapply_fixed_weights()``).
        path: a work dir (its newest readable checkpoint), a checkpoint prefix or file.
        strict: raise unless every model variable is loaded and every entry is used.
        logger: a ``logging.Logger``; default: this module's logger.
        partial: take what matches from a native checkpoint of another model (``load_from``:
            a plain OSMN-lite checkpoint initialises a matching model's backbone and head; the
            matching modulator and entries of another shape start fresh). Without it such a
            load is refused: the model would run with untrained weights.

    Returns:
        ImportReport.

    Raises:
        CheckpointError: missing/unreadable checkpoint, unknown naming scheme, nothing matched,
            a strict load that is incomplete, or (without ``partial``) a native checkpoint
            without one of the model's sub-networks.
    """
    logger = logger or logging.getLogger(__name__)
    if os.path.isdir(path) and (_has_pointer(path) or iteration_checkpoints(path)):
        prefix = find_usable_checkpoint(path, logger)
    else:
        prefix = resolve_checkpoint(path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as err:
        raise CheckpointError(f'checkpoint {prefix} cannot be opened ({type(err).__name__}); '
                              f'it is not a TensorFlow checkpoint or it is damaged.') from err
    report = import_checkpoint(model, prefix, reader, strict, partial)
    model.reapply_fixed_weights()
    logger.info('loaded checkpoint %s\n%s', prefix, report.summary())
    return report


def _has_pointer(directory):
    return os.path.isfile(os.path.join(directory, LAST_CHECKPOINT)) or \
        tf.train.latest_checkpoint(directory) is not None


def _read_last_checkpoint(directory):
    """The basename in ``directory/last_checkpoint``, or None when there is no such file."""
    path = os.path.join(directory, LAST_CHECKPOINT)
    if not os.path.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return f.read().strip()


def _checkpoint_files(prefix):
    """The existing files of a checkpoint: ``<prefix>.index`` and its data shards."""
    directory, base = os.path.split(prefix)
    return [os.path.join(directory, filename) for filename in os.listdir(directory)
            if filename == base + '.index' or (filename.startswith(base + '.data-')
                                               and _DATA_SHARD.search(filename))]


def _remove_checkpoint_files(prefix):
    for path in _checkpoint_files(prefix) + [prefix + '.json']:
        if os.path.exists(path):
            os.remove(path)


def _write_atomically(path, text):
    """Write a small text file so that readers see the old or the new content, never a mix."""
    temporary = path + '.tmp'
    with open(temporary, 'w', encoding='utf-8') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _to_json(value):
    """JSON fallback for numpy scalars/arrays and other objects in the caller's meta."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    return str(value)
