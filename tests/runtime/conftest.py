"""Fixtures: the tiny models of tests/export/tiny_exports.py and their ONNX / LiteRT exports,
made once per session."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'export'))
from tiny_exports import TinyModel  # noqa: E402  (shared with tests/export and tests/tools)


@pytest.fixture(scope='session')
def tiny_models(tmp_path_factory):
    """``{'osvos': TinyModel, 'match': TinyModel}`` sharing one tiny ToyVOS set."""
    root = str(tmp_path_factory.mktemp('toyvos'))
    return {kind: TinyModel(kind, root, str(tmp_path_factory.mktemp(f'work_{kind}')))
            for kind in ('osvos', 'match')}


@pytest.fixture(scope='session')
def exports(tiny_models, tmp_path_factory):
    """``exports(kind, export_format)``: the export folder, made on first use."""
    made = {}

    def export(kind, export_format):
        if (kind, export_format) not in made:
            out = str(tmp_path_factory.mktemp(f'{kind}_{export_format}'))
            tiny_models[kind].export(out, export_format)
            made[kind, export_format] = out
        return made[kind, export_format]

    return export
