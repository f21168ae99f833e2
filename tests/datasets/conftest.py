"""Fixtures: the tiny data sets of vos_layouts.py, each written into a fresh ``tmp_path``."""
import pytest
from vos_layouts import write_coco, write_davis, write_youtube_objects, write_ytvos


def _layout(writer, folder):
    """A fixture that returns ``writer(<tmp_path>/<folder>)``, the data root."""

    @pytest.fixture
    def data_root(tmp_path):
        return writer(str(tmp_path / folder))

    return data_root


davis_root = _layout(write_davis, 'DAVIS')
ytvos_root = _layout(write_ytvos, 'ytvos')
youtube_objects_root = _layout(write_youtube_objects, 'youtube_objects')
coco_root = _layout(write_coco, 'coco')
