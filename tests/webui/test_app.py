"""The page and the clip actions: open (zip, MP4, data set sequence), open again, list, switch
and close clips, frames served as the files kept."""
import io
import os

import numpy as np
from PIL import Image

from osmnseg.config import Config
from osmnseg.webui.catalog import SequenceCatalog
from webui_client import open_clip, session_of, upload
from webui_inputs import SIZE, frames, frames_zip, png_bytes, zip_bytes
from segmenter_inputs import TINY_CONFIG  # the tiny config of tests/apis (conftest's path)

STATIC_FILES = ('app.js', 'api.js', 'edit.js', 'export.js', 'keys.js', 'paint.js', 'view.js',
                'style.css')


def test_the_page_and_its_files_are_served(client):
    page = client.get('/')
    assert page.status_code == 200 and '/static/app.js' in page.text
    for name in STATIC_FILES:
        assert client.get(f'/static/{name}').status_code == 200, name
    info = client.get('/api/info').json()
    assert info['max_frames'] == 12 and info['max_upload_bytes'] == 2 ** 20
    assert info['palette'][1] == [128, 0, 0] and len(info['palette']) == 256
    assert info['export_fps'] == {'default': 24.0, 'choices': [24.0, 30.0]}


def test_a_zip_of_frames_opens_in_natural_order_and_keeps_its_files(client):
    clip = frames(11)
    pngs = {f'frame{i}.png': png_bytes(frame) for i, frame in enumerate(clip)}
    response = upload(client, zip_bytes(pngs))  # frame10 after frame9, not after frame1
    summary = response.json()
    assert (summary['num_frames'], summary['height'], summary['width']) == (11, *SIZE)
    assert summary['name'] == 'clip' and summary['edited'] == [] and summary['fps'] is None
    stored = session_of(client).clip(summary['id'])
    for index in (0, 9, 10):
        np.testing.assert_array_equal(stored.read_frame(index), clip[index])
        with open(stored.frame_path(index), 'rb') as kept:
            assert kept.read() == pngs[f'frame{index}.png']  # the uploaded file itself
    served = client.get(f"/api/clips/{summary['id']}/frames/10")
    assert served.headers['content-type'] == 'image/png'
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(served.content))), clip[10])
    mask = client.get(f"/api/clips/{summary['id']}/masks/3").content
    assert mask == bytes(SIZE[0] * SIZE[1])


def test_a_jpeg_with_an_exif_rotation_is_kept_as_the_pixels_the_model_reads(client):
    image = Image.fromarray(frames(1)[0])
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90°": a browser would draw it turned
    buffer = io.BytesIO()
    image.save(buffer, format='JPEG', exif=exif)
    summary = upload(client, zip_bytes({'0.jpg': buffer.getvalue()})).json()
    clip = session_of(client).clip(summary['id'])
    assert clip.frame_path(0).endswith('.png')
    expected = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert('RGB'))
    np.testing.assert_array_equal(clip.read_frame(0), expected)


def test_an_mp4_opens_with_its_frame_rate(client, tmp_path):
    from osmnseg.io.video import write_mp4
    path = tmp_path / 'walk.mp4'
    write_mp4(str(path), frames(6, size=(32, 48)), fps=12)
    response = upload(client, path.read_bytes(), 'my walk.mp4')
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary['num_frames'], summary['height'], summary['width']) == (6, 32, 48)
    assert summary['name'] == 'my_walk' and summary['fps'] == 12
    assert session_of(client).clip(summary['id']).frame_path(5).endswith('.jpg')


def test_a_data_set_sequence_opens_once(make_client, tmp_path):
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.merge_from_dict({'data.test.data_root': str(tmp_path / 'toyvos')})
    client = make_client(catalog=SequenceCatalog(cfg.data.test))
    names = client.get('/api/sequences').json()['names']
    assert names == ['toy_val_000', 'toy_val_001']
    summary = client.post('/api/clips/sequence', json={'name': names[1]}).json()
    frame_dir = tmp_path / 'toyvos' / 'JPEGImages' / '480p' / names[1]
    assert summary['num_frames'] == len(list(frame_dir.iterdir()))
    assert (summary['name'], summary['height'], summary['width']) == (names[1], 48, 64)
    assert summary['sequence'] == names[1]  # the page's sequence list follows the open clip
    other = client.post('/api/clips/sequence', json={'name': names[0]}).json()
    again = client.post('/api/clips/sequence', json={'name': names[1]}).json()
    assert again['id'] == summary['id']
    assert [c['id'] for c in client.get('/api/clips').json()] == [other['id'], summary['id']]


def test_the_same_upload_twice_is_one_clip(client):
    first, clip = open_clip(client)
    again = upload(client, frames_zip(clip), 'renamed.zip').json()
    assert again['id'] == first['id']
    different = upload(client, frames_zip(clip[:4])).json()
    assert different['id'] != first['id']
    assert len(client.get('/api/clips').json()) == 2


def test_without_a_data_set_the_page_is_told_why(client):
    response = client.get('/api/sequences')
    assert response.status_code == 400 and 'no data.test' in response.json()['detail']


def test_clips_are_listed_closed_and_the_oldest_is_dropped_beyond_the_limit(client):
    first, _ = open_clip(client, count=3)
    second, _ = open_clip(client, count=4)
    assert [c['id'] for c in client.get('/api/clips').json()] == [first['id'], second['id']]
    first_dir = session_of(client).clip(first['id']).directory
    third, _ = open_clip(client, count=5)  # LIMITS.max_clips == 2
    assert [c['id'] for c in client.get('/api/clips').json()] == [second['id'], third['id']]
    assert not os.path.exists(first_dir)
    assert client.get(f"/api/clips/{first['id']}").status_code == 404
    third_dir = session_of(client).clip(third['id']).directory
    assert client.delete(f"/api/clips/{third['id']}").status_code == 200
    assert not os.path.exists(third_dir)
    assert [c['id'] for c in client.get('/api/clips').json()] == [second['id']]


def test_closing_a_clip_gives_its_bytes_back_to_the_disk_budget(client):
    store = client.app.state.store
    summary, _ = open_clip(client, count=3)
    assert store.budget.used == summary['disk_bytes'] > 0
    client.delete(f"/api/clips/{summary['id']}")
    assert store.budget.used == 0
