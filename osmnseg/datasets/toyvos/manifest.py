"""The manifest of a ToyVOS folder: what generated it and which files are its own."""
import json
import os

from osmnseg.datasets.toyvos.layout import MANIFEST, listed_files

GENERATOR_NAME = 'osmnseg.ToyVOS'
GENERATOR_VERSION = '1'


def read_manifest(out_dir):
    """The manifest of a ToyVOS folder, or None when there is none (or it is unreadable)."""
    try:
        with open(os.path.join(out_dir, MANIFEST)) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get('generator') == \
        GENERATOR_NAME else None


def folder_files(root):
    """Every file below ``root`` (hidden ones included), relative to it."""
    return {os.path.relpath(os.path.join(folder, name), root)
            for folder, _, names in os.walk(root) for name in names}


def count_files(root):
    """Number of files below ``root``, the manifest excluded."""
    return len(folder_files(root) - {MANIFEST})


def foreign_files(out_dir, manifest):
    """Sorted files below ``out_dir`` that ``manifest`` (None: no set) does not list."""
    own = listed_files(manifest.get('sequences') or {}) if manifest else set()
    return sorted(folder_files(out_dir) - own)


def is_current(out_dir, params):
    """True when ``out_dir`` holds exactly the files of a ToyVOS set generated with ``params``."""
    manifest = read_manifest(out_dir)
    return (manifest is not None and manifest.get('generator_version') == GENERATOR_VERSION and
            manifest.get('params') == params.to_dict() and
            folder_files(out_dir) == listed_files(manifest.get('sequences') or {}))
