"""Data folders on disk: the frames and annotations a folder holds, split lists, and the
names that index files may give.

A frame folder holds one image per frame, named so that sorting the names sorts the frames
(DAVIS ``00000.jpg``, YouTube-VOS ``00005.jpg``); its annotations share the frames' stems.
"""
import os

from osmnseg.io.images import check_one_size
from osmnseg.utils.errors import DataError

FRAME_EXTENSIONS = ('.jpg', '.jpeg', '.png')


def list_files(folder, extensions, what):
    """Sorted file names in ``folder`` whose extension (case-insensitive) is in ``extensions``.

    Hidden files (``.DS_Store``, macOS AppleDouble ``._00001.jpg``) are skipped.

    Args:
        folder: the folder to list.
        extensions: lower-case extensions with the dot, e.g. :data:`FRAME_EXTENSIONS`.
        what: what the folder holds, for the message (``'frame'``, ``'annotation'``).

    Raises:
        DataError: the folder does not exist.
    """
    if not os.path.isdir(folder):
        raise DataError(f'{what} folder {folder} does not exist; check the data root and the '
                        'layout described in docs/datasets.md.')
    return sorted(name for name in os.listdir(folder)
                  if os.path.splitext(name)[1].lower() in extensions and not name.startswith('.')
                  and os.path.isfile(os.path.join(folder, name)))


def by_stem(folder, names):
    """``{stem: path}`` of the file names in ``folder`` (a later name wins a shared stem)."""
    return {os.path.splitext(name)[0]: os.path.join(folder, name) for name in names}


def read_split_list(path, what='split list'):
    """Non-empty, stripped lines of a text file (one sequence name per line).

    Raises:
        DataError: the file does not exist, or a line is not a plain folder name
            (:func:`check_safe_name`).
    """
    if not os.path.isfile(path):
        raise DataError(f'{what} {path} does not exist; check the data root, the split and '
                        'the version.')
    with open(path, encoding='utf-8') as file:
        names = [line.strip() for line in file if line.strip()]
    for name in names:
        check_safe_name(name, path)
    return names


def check_safe_name(name, source, allow_subfolders=False):
    """Reject a file or folder name read from an index file that would leave its folder.

    Args:
        name: the name as written in the index file.
        source: the index file, for the message.
        allow_subfolders: accept a relative path with ``/`` separators (COCO ``file_name``).

    Raises:
        DataError: ``name`` is empty, absolute, contains ``..`` / ``.`` components or a
            backslash, or (without ``allow_subfolders``) a ``/``.
    """
    parts = name.split('/') if isinstance(name, str) else []
    if (not parts or name.startswith('/') or os.path.isabs(name) or '\\' in name
            or '\x00' in name or any(part in ('', '.', '..') for part in parts)
            or (len(parts) > 1 and not allow_subfolders)):
        raise DataError(f'{source} names {name!r}, which is not a plain relative '
                        f'{"path" if allow_subfolders else "file or folder name"} (absolute '
                        'paths and ".." would escape the data root); fix the entry.')


def list_frame_folder(folder, what='--frames'):
    """``(names, paths)`` of the frames (``.jpg/.jpeg/.png``, hidden files skipped) in
    ``folder``, sorted by name, all of one size; ``names`` are the file names without extension.

    Raises:
        DataError: ``folder`` is not a folder, holds no frame, or frames of different sizes.
    """
    if not os.path.isdir(folder):
        raise DataError(f'{what} {folder} is not a folder; give the folder of frames.')
    files = list_files(folder, FRAME_EXTENSIONS, what)
    if not files:
        raise DataError(f'{what} {folder} holds no .jpg/.jpeg/.png frame.')
    paths = [os.path.join(folder, name) for name in files]
    check_one_size(paths, f'{what} {folder}')
    return [os.path.splitext(name)[0] for name in files], paths
