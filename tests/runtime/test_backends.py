"""The backends: a missing runtime package names the extra to install, a backend that cannot
run the export's format or a missing graph file is one line."""
import importlib

import pytest

from osmnseg.runtime.backends import default_backend, import_backend, load_graph
from osmnseg.runtime.manifest import GraphSpec
from osmnseg.runtime.model import ExportedModel
from osmnseg.utils.errors import ConfigError, DataError

from manifests import manifest


@pytest.mark.parametrize('backend, package, extra', [('onnx', 'onnxruntime', 'onnx'),
                                                     ('tflite', 'ai_edge_litert', 'litert')])
def test_a_missing_package_names_the_extra(monkeypatch, backend, package, extra):
    real_import = importlib.import_module

    def missing(name, *args):
        if name.split('.')[0] == package:
            raise ImportError(f'No module named {name!r}')
        return real_import(name, *args)

    monkeypatch.setattr(importlib, 'import_module', missing)
    with pytest.raises(ConfigError) as info:
        import_backend(backend)
    assert str(info.value) == (f'the {backend} backend needs {package}, which is not installed; '
                               f'pip install "osmnseg[{extra}]" (or pip install -e ".[{extra}]" '
                               'in a checkout).')


def test_formats_and_backends_must_match(tmp_path):
    assert default_backend('tflite') == 'tflite' and default_backend('onnx') == 'onnx'
    with pytest.raises(DataError, match='the export is a savedmodel; the runtime runs onnx and '
                                        'tflite exports'):
        default_backend('savedmodel')
    manifest().save(str(tmp_path))
    with pytest.raises(DataError, match='holds a onnx export, which the tflite backend cannot '
                                        'run; use --backend onnx'):
        ExportedModel.load(str(tmp_path), 'tflite')


def test_a_missing_graph_file_is_one_line(tmp_path):
    with pytest.raises(DataError, match='embed_frame.onnx does not exist; the export in .* is '
                                        'incomplete'):
        load_graph(str(tmp_path), GraphSpec('embed_frame.onnx', (), ()), 'onnx')
