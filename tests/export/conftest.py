"""Fixtures: the tiny models of tiny_exports.py, made once per session."""
import pytest

from tiny_exports import TinyModel


@pytest.fixture(scope='session')
def tiny_models(tmp_path_factory):
    """``{'osvos': TinyModel, 'match': TinyModel}`` sharing one tiny ToyVOS set."""
    root = str(tmp_path_factory.mktemp('toyvos'))
    return {kind: TinyModel(kind, root, str(tmp_path_factory.mktemp(f'work_{kind}')))
            for kind in ('osvos', 'match')}
