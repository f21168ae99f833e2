"""Every refused input answers one clear sentence, leaves no file behind and the server keeps
serving."""
import os

import numpy as np
import pytest

from webui_client import open_clip, session_of, upload
from webui_inputs import SIZE, frames, frames_zip, png_bytes, zip_bytes


def refusal(response, status=400):
    assert response.status_code == status, response.text
    detail = response.json()['detail']
    assert isinstance(detail, str) and '\n' not in detail
    return detail


def assert_no_leftovers(client):
    session = session_of(client)
    assert os.listdir(session.directory) == [clip.id for clip in session.all_clips()]


@pytest.mark.parametrize('data,filename,expected', [
    (b'just some text\n', 'notes.txt', 'neither a video nor a zip'),
    (b'', 'empty.mp4', 'neither a video nor a zip'),
    (zip_bytes({}), 'empty.zip', 'holds no .jpg/.jpeg/.png frame'),
    (zip_bytes({'readme.txt': b'hi', '__MACOSX/._0.png': b'x'}), 'docs.zip', 'holds no'),
    (zip_bytes({'0.png': png_bytes(frames(1)[0]), '1.png': b'not a png'}), 'bad.zip',
     '1.png in bad.zip is not a readable image'),
    (zip_bytes({'0.png': png_bytes(frames(1)[0]),
                '1.png': png_bytes(frames(1, size=(10, 10))[0])}), 'mixed.zip',
     '1.png is 10x10 pixels but the first frame is 32x24'),
    (frames_zip(frames(13)), 'long.zip', 'more than 12 frames'),
], ids=['text', 'empty file', 'empty zip', 'zip without frames', 'unreadable frame',
        'mixed sizes', 'too long'])
def test_a_bad_clip_upload_is_refused(client, data, filename, expected):
    assert expected in refusal(upload(client, data, filename))
    assert_no_leftovers(client)
    open_clip(client)  # the server still works


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(client):
    client.get('/')  # the session starts with the page
    big = np.random.default_rng(0).integers(0, 256, 2 ** 20 + 10, dtype=np.uint8).tobytes()
    detail = refusal(upload(client, big, 'big.zip'), status=413)
    assert 'over the limit of 1.0 MiB' in detail and '--max-upload-mb' in detail
    assert_no_leftovers(client)


def test_an_upload_without_a_stated_size_is_refused(client):
    chunks = iter([b'x' * 100, b'y' * 100])
    response = client.post('/api/clips', content=chunks,
                           headers={'Content-Type': 'application/octet-stream'})
    assert 'Content-Length' in refusal(response, status=411)


@pytest.mark.parametrize('mask,expected', [
    (png_bytes(np.zeros((10, 10), np.uint8)), 'mask.png is 10x10 pixels but the clip'),
    (png_bytes(np.zeros(SIZE, np.uint8)), 'mask.png holds no object'),
    (png_bytes(np.zeros((*SIZE, 3), np.uint8)), 'not a palette or 8-bit grey PNG'),
    (b'GIF89a nonsense', 'not a palette or 8-bit grey PNG'),
], ids=['wrong size', 'no object', 'rgb', 'not an image'])
def test_a_bad_mask_png_is_refused(client, mask, expected):
    summary, _ = open_clip(client)
    response = client.post(f"/api/clips/{summary['id']}/masks/0/png",
                           files={'file': ('mask.png', mask)})
    assert expected in refusal(response)
    assert client.get(f"/api/clips/{summary['id']}").json()['edited'] == []


@pytest.mark.parametrize('route,body,expected', [
    ('strokes', dict(points=[], radius=3), 'needs 1 to 5000 points'),
    ('strokes', dict(points=[[1, 2]], radius=-1), 'positive number of pixels'),
    ('strokes', dict(points=[[1, 2]], radius=2, object=256), 'object ids run from 1 to 255'),
    ('box', dict(box=[3, 3, 5, 20]), 'the box is 2x17 pixels on the frame'),
    ('box', dict(box=[3, 3, 5]), 'four numbers'),
    ('hint', dict(points=[[1, 2]], radius=2), 'has no box to refine'),
])
def test_a_bad_stroke_or_box_is_refused(client, route, body, expected):
    summary, _ = open_clip(client)
    response = client.post(f"/api/clips/{summary['id']}/masks/0/{route}", json=body)
    assert expected in refusal(response)
    assert client.get(f"/api/clips/{summary['id']}").json()['edited'] == []


def test_a_stroke_over_its_own_size_limit_is_refused_before_it_is_read(client):
    summary, _ = open_clip(client)
    body = b'{"points": [' + b'[1, 2], ' * 200_000 + b'[1, 2]], "radius": 2}'
    response = client.post(f"/api/clips/{summary['id']}/masks/0/strokes", content=body,
                           headers={'Content-Type': 'application/json'})
    assert 'over the 1024 KiB a stroke may have' in refusal(response, status=413)


def test_propagating_from_a_frame_without_an_object_is_refused(client):
    summary, _ = open_clip(client)
    response = client.post(f"/api/clips/{summary['id']}/propagation", json=dict(start=2))
    assert 'frame 2 has no object' in refusal(response)


@pytest.mark.parametrize('method,path', [
    ('get', 'frames/5'), ('get', 'masks/-1'), ('post', 'masks/7/strokes'),
    ('post', 'masks/5/box'), ('post', 'masks/8/undo'), ('delete', 'masks/9/edit')])
def test_a_frame_outside_the_clip_is_refused(client, method, path):
    summary, _ = open_clip(client)
    kwargs = {'json': dict(points=[[1, 1]], radius=1, box=[0, 0, 9, 9])} if method == 'post' \
        else {}
    response = getattr(client, method)(f"/api/clips/{summary['id']}/{path}", **kwargs)
    assert 'is not in the clip (frames 0..4)' in refusal(response)


def test_other_malformed_requests_are_refused(client):
    summary, _ = open_clip(client)
    url = f"/api/clips/{summary['id']}"
    assert 'overlay export .avi' in refusal(client.get(f'{url}/export/overlay.avi'))
    assert 'fps' in refusal(client.get(f'{url}/export/overlay.gif?fps=0'), status=422)
    assert 'file' in refusal(client.post('/api/clips'), status=422)
    assert 'start' in refusal(client.post(f'{url}/propagation', json={}), status=422)
    assert 'no clip' in refusal(client.get('/api/clips/nope/frames/0'), status=404)
