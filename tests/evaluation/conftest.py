"""Fixtures: a tiny DAVIS tree and a perfect result folder in ``tmp_path`` (see davis_tree.py)."""
import os

import pytest

from davis_tree import sequence_masks, write_masks


@pytest.fixture
def davis_root(tmp_path):
    """DAVIS tree with ImageSets/2017/val.txt = [two, one] and 480p annotations."""
    root = tmp_path / 'DAVIS'
    os.makedirs(root / 'ImageSets' / '2017')
    (root / 'ImageSets' / '2017' / 'val.txt').write_text('two\none\n')
    for name in ('two', 'one'):
        write_masks(str(root / 'Annotations' / '480p' / name), sequence_masks(name))
    return str(root)


@pytest.fixture
def perfect_results(tmp_path):
    """Result folder equal to the ground truth (all frames written)."""
    results = tmp_path / 'results'
    for name in ('two', 'one'):
        write_masks(str(results / name), sequence_masks(name))
    return str(results)
