"""The page and the clip actions: open (zip, MP4, data set sequence), paint, upload a mask,
forget an edit, list, switch and close clips."""
import io
import os

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.webui.catalog import SequenceCatalog
from webui_client import open_clip, session_of, upload
from webui_inputs import SIZE, box_mask, frames, png_bytes
from segmenter_inputs import TINY_CONFIG  # the tiny config of tests/apis (conftest's path)


def test_the_page_and_its_files_are_served(client):
    page = client.get('/')
    assert page.status_code == 200 and '/static/app.js' in page.text
    for name in ('app.js', 'style.css'):
        assert client.get(f'/static/{name}').status_code == 200
    info = client.get('/api/info').json()
    assert info['max_frames'] == 12 and info['max_upload_bytes'] == 2 ** 20
    assert info['palette'][1] == [128, 0, 0] and len(info['palette']) == 256


def test_a_zip_of_frames_opens_in_natural_order(client):
    summary, clip = open_clip(client, count=11)  # frame10 after frame9, not after frame1
    assert (summary['num_frames'], summary['height'], summary['width']) == (11, *SIZE)
    assert summary['name'] == 'clip' and summary['edited'] == []
    stored = session_of(client).clip(summary['id'])
    np.testing.assert_array_equal(stored.frames, clip)
    jpeg = client.get(f"/api/clips/{summary['id']}/frames/10")
    assert jpeg.headers['content-type'] == 'image/jpeg'
    assert np.asarray(Image.open(io.BytesIO(jpeg.content))).shape == (*SIZE, 3)
    mask = client.get(f"/api/clips/{summary['id']}/masks/3").content
    assert mask == bytes(SIZE[0] * SIZE[1])


def test_an_mp4_opens(client, tmp_path):
    from osmnseg.io.video import write_mp4
    path = tmp_path / 'walk.mp4'
    write_mp4(str(path), frames(6, size=(32, 48)), fps=5)
    response = upload(client, path.read_bytes(), 'my walk.mp4')
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary['num_frames'], summary['height'], summary['width']) == (6, 32, 48)
    assert summary['name'] == 'my_walk'


def test_a_data_set_sequence_opens(make_client, tmp_path):
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.merge_from_dict({'data.test.data_root': str(tmp_path / 'toyvos')})
    client = make_client(catalog=SequenceCatalog(cfg.data.test))
    names = client.get('/api/sequences').json()['names']
    assert names == ['toy_val_000', 'toy_val_001']
    summary = client.post('/api/clips/sequence', json={'name': names[1]}).json()
    frame_dir = tmp_path / 'toyvos' / 'JPEGImages' / '480p' / names[1]
    assert summary['num_frames'] == len(list(frame_dir.iterdir()))
    assert (summary['name'], summary['height'], summary['width']) == (names[1], 48, 64)


def test_without_a_data_set_the_page_is_told_why(client):
    response = client.get('/api/sequences')
    assert response.status_code == 400 and 'no data.test' in response.json()['detail']


def test_painting_sets_a_frames_mask_and_marks_it_edited(client):
    summary, _ = open_clip(client)
    url = f"/api/clips/{summary['id']}/masks/2"
    mask = box_mask(1) + box_mask(2, box=(16, 0, 20, 8))
    response = client.put(url, content=mask.tobytes())
    assert response.status_code == 200 and response.json()['edited'] == [2]
    assert response.json()['revision'] == 1
    read = np.frombuffer(client.get(url).content, np.uint8).reshape(SIZE)
    np.testing.assert_array_equal(read, mask)
    cleared = client.put(url, content=bytes(SIZE[0] * SIZE[1]))  # erasing everything is an edit
    assert cleared.json()['edited'] == [2]


@pytest.mark.parametrize('mode,value,expected', [('P', 3, 3), ('L', 2, 2), ('L', 255, 1)])
def test_an_index_png_sets_a_frames_mask(client, mode, value, expected):
    summary, _ = open_clip(client)
    data = png_bytes(box_mask(value), palette=mode == 'P')
    response = client.post(f"/api/clips/{summary['id']}/masks/0/png",
                           files={'file': ('first.png', data)})
    assert response.status_code == 200, response.text
    assert response.json()['edited'] == [0]
    stored = session_of(client).clip(summary['id']).masks[0]
    np.testing.assert_array_equal(stored, box_mask(expected))


def test_forgetting_an_edit_keeps_the_mask(client):
    summary, _ = open_clip(client)
    client.put(f"/api/clips/{summary['id']}/masks/1", content=box_mask(1).tobytes())
    response = client.delete(f"/api/clips/{summary['id']}/masks/1/edit")
    assert response.json()['edited'] == []
    np.testing.assert_array_equal(session_of(client).clip(summary['id']).masks[1], box_mask(1))


def test_clips_are_listed_closed_and_the_oldest_is_dropped_beyond_the_limit(client):
    first, _ = open_clip(client)
    second, _ = open_clip(client)
    assert [c['id'] for c in client.get('/api/clips').json()] == [first['id'], second['id']]
    first_dir = session_of(client).clip(first['id']).directory
    third, _ = open_clip(client)  # LIMITS.max_clips == 2
    assert [c['id'] for c in client.get('/api/clips').json()] == [second['id'], third['id']]
    assert not os.path.exists(first_dir)
    assert client.get(f"/api/clips/{first['id']}").status_code == 404
    third_dir = session_of(client).clip(third['id']).directory
    assert client.delete(f"/api/clips/{third['id']}").status_code == 200
    assert not os.path.exists(third_dir)
    assert [c['id'] for c in client.get('/api/clips').json()] == [second['id']]
