"""``ExportManifest``: written and read back, and every bad manifest refused with one line that
names the file and the fix."""
import json

import pytest

from osmnseg.runtime.manifest import MANIFEST_FILE, ExportManifest
from osmnseg.utils.errors import DataError

from manifests import manifest


def test_written_and_read_back(tmp_path):
    manifest().save(str(tmp_path))
    loaded = ExportManifest.load(str(tmp_path))
    assert loaded == manifest()
    settings = loaded.loop_settings()
    assert settings.size == (32, 64) and settings.merge == 'soft'
    assert settings.normalize == {'mode': 'rgb_unit'}


@pytest.mark.parametrize('edit, message', [
    (lambda data: data.pop('matching'), 'lacks matching; export the model again'),
    (lambda data: data['settings'].pop('threshold'), 'lacks settings.threshold'),
    (lambda data: data['graphs']['embed_frame'].pop('file'), 'lacks graphs.embed_frame.file'),
    (lambda data: data.update(version=99), 'is not a version-1 osmnseg export manifest'),
])
def test_bad_manifests_name_the_entry(tmp_path, edit, message):
    manifest().save(str(tmp_path))
    path = tmp_path / MANIFEST_FILE
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(DataError, match=message):
        ExportManifest.load(str(tmp_path))


def test_a_folder_without_manifest_or_with_broken_json(tmp_path):
    with pytest.raises(DataError, match=f'{tmp_path} holds no {MANIFEST_FILE}; give a folder '
                                        'written by tools/export.py'):
        ExportManifest.load(str(tmp_path))
    (tmp_path / MANIFEST_FILE).write_text('{"version": 1,')
    with pytest.raises(DataError, match='is not valid JSON'):
        ExportManifest.load(str(tmp_path))
