"""Editing a frame's mask through the API: strokes, a box and its hints, a PNG, undo, redo and
forgetting a frame's edits."""
import json

import numpy as np
import pytest

from osmnseg.webui.strokes import Stroke, mask_checksum
from webui_client import open_clip, read_mask, session_of, set_mask, upload
from webui_inputs import SIZE, box_mask, frames_zip, png_bytes, zip_bytes

HD = (1080, 1920)


def stroke(client, clip_id, index, points, radius=2.0, obj=1, erase=False):
    response = client.post(f'/api/clips/{clip_id}/masks/{index}/strokes',
                           json=dict(points=points, radius=radius, object=obj, erase=erase))
    assert response.status_code == 200, response.text
    return response.json()


def expected_stroke(points, radius, size=SIZE):
    return Stroke.checked(points, radius).pixels(size)


def test_a_stroke_paints_its_pixels_and_answers_the_masks_checksum(client):
    summary, _ = open_clip(client)
    answer = stroke(client, summary['id'], 2, [[3, 4], [20, 10]], radius=2.5, obj=2)
    expected = expected_stroke([[3, 4], [20, 10]], 2.5).astype(np.uint8) * 2
    assert answer['clip']['edited'] == [2] and answer['clip']['history'] == {'2': [1, 0]}
    np.testing.assert_array_equal(read_mask(client, summary['id'], 2), expected)
    assert answer['checksum'] == mask_checksum(expected)
    erased = stroke(client, summary['id'], 2, [[20, 10]], radius=30, erase=True)
    assert not read_mask(client, summary['id'], 2).any()  # erasing everything is an edit
    assert erased['clip']['edited'] == [2]


def test_painting_a_1080p_frame_sends_a_few_hundred_bytes_under_a_1_mib_upload_limit(client):
    gray = np.full((2, *HD, 3), 90, np.uint8)  # compresses to a small upload
    summary = upload(client, frames_zip(gray)).json()
    points = [[100 + 7 * i, 200 + 3 * i] for i in range(60)]  # a drag of 60 mouse events
    body = json.dumps(dict(points=points, radius=40, object=1, erase=False))
    assert len(body) < 1500  # the raw mask of a 1080p frame is 2 MiB, over LIMITS' 1 MiB
    response = client.post(f"/api/clips/{summary['id']}/masks/1/strokes", content=body,
                           headers={'Content-Type': 'application/json'})
    assert response.status_code == 200, response.text
    expected = expected_stroke(points, 40, HD)
    np.testing.assert_array_equal(read_mask(client, summary['id'], 1, HD), expected)


def test_a_box_gives_the_objects_mask_and_hints_refine_it(client):
    summary, _ = box_clip(client)
    url = f"/api/clips/{summary['id']}/masks/0"
    boxed = client.post(f'{url}/box', json=dict(box=BOX, object=2)).json()
    assert boxed['seconds'] > 0 and boxed['clip']['boxes'] == [0]
    mask = read_mask(client, summary['id'], 0, BOX_SIZE)
    assert set(np.unique(mask)) == {0, 2}
    assert iou(mask == 2, DISK) > 0.9 and not mask[PATCH].any()  # blue is the margin's colour
    # an inside stroke on the blue patch adds all of it
    hint = client.post(f'{url}/hint', json=dict(points=[[38, 22], [38, 26]], radius=1.5,
                                               object=2, inside=True)).json()
    refined = read_mask(client, summary['id'], 0, BOX_SIZE) == 2
    assert iou(refined, DISK | PATCH) > 0.95
    assert hint['clip']['history'] == {'0': [2, 0]}
    assert hint['checksum'] == mask_checksum(refined.astype(np.uint8) * 2)


def test_a_box_leaves_other_objects_alone(client):
    summary, _ = box_clip(client)
    other = np.zeros(BOX_SIZE, np.uint8)
    other[20:28, 20:28] = 3  # inside the disk, but object 3's
    set_mask(client, summary['id'], 0, other)
    client.post(f"/api/clips/{summary['id']}/masks/0/box", json=dict(box=BOX))
    mask = read_mask(client, summary['id'], 0, BOX_SIZE)
    assert (mask[20:28, 20:28] == 3).all() and iou(mask == 1, DISK & (other == 0)) > 0.9


def test_a_hint_needs_the_frames_box_of_its_object(client):
    summary, _ = box_clip(client)
    url = f"/api/clips/{summary['id']}/masks/0"
    hint = dict(points=[[20, 20]], radius=2, object=1, inside=True)
    assert 'has no box to refine' in client.post(f'{url}/hint', json=hint).json()['detail']
    client.post(f'{url}/box', json=dict(box=BOX, object=2))
    detail = client.post(f'{url}/hint', json=hint).json()['detail']
    assert "the box on frame 0 is object 2's" in detail


def test_undo_and_redo_walk_a_frames_edits_and_a_new_edit_clears_redo(client):
    summary, _ = open_clip(client)
    clip_id, url = summary['id'], f"/api/clips/{summary['id']}/masks/1"
    first = stroke(client, clip_id, 1, [[5, 5]], radius=3)
    masks = [np.zeros(SIZE, np.uint8), read_mask(client, clip_id, 1)]
    stroke(client, clip_id, 1, [[20, 15]], radius=3, obj=2)
    masks.append(read_mask(client, clip_id, 1))
    undone = client.post(f'{url}/undo').json()
    np.testing.assert_array_equal(read_mask(client, clip_id, 1), masks[1])
    assert undone['checksum'] == first['checksum'] and undone['clip']['history'] == {'1': [1, 1]}
    undone = client.post(f'{url}/undo').json()
    np.testing.assert_array_equal(read_mask(client, clip_id, 1), masks[0])
    assert undone['clip']['edited'] == []  # back to before the first edit: not edited
    assert client.post(f'{url}/undo').json()['clip']['history'] == {'1': [0, 2]}  # nothing left
    redone = client.post(f'{url}/redo').json()
    np.testing.assert_array_equal(read_mask(client, clip_id, 1), masks[1])
    assert redone['clip']['edited'] == [1]
    stroke(client, clip_id, 1, [[10, 10]], radius=1)
    assert client.get(f'/api/clips/{clip_id}').json()['history'] == {'1': [2, 0]}


def test_undo_takes_back_a_hint_and_the_next_hint_builds_on_the_box_alone(client):
    summary, _ = box_clip(client)
    url = f"/api/clips/{summary['id']}/masks/0"
    client.post(f'{url}/box', json=dict(box=BOX))
    boxed = read_mask(client, summary['id'], 0, BOX_SIZE)
    outside = dict(points=[[24, 24]], radius=6, object=1, inside=False)
    client.post(f'{url}/hint', json=outside)
    assert not read_mask(client, summary['id'], 0, BOX_SIZE)[24, 24]
    client.post(f'{url}/undo')
    np.testing.assert_array_equal(read_mask(client, summary['id'], 0, BOX_SIZE), boxed)
    session = session_of(client).clip(summary['id']).box_session(0)
    assert session.hints == ()


def test_forgetting_a_frames_edits_restores_its_propagated_mask(client):
    summary, _ = open_clip(client, count=3)
    clip = session_of(client).clip(summary['id'])
    clip.write_prediction(1, box_mask(1))  # as propagation would
    stroke(client, summary['id'], 1, [[28, 20]], radius=3, obj=2)
    stroke(client, summary['id'], 1, [[5, 20]], radius=3, obj=2)
    response = client.delete(f"/api/clips/{summary['id']}/masks/1/edit").json()
    assert response['clip']['edited'] == []
    np.testing.assert_array_equal(read_mask(client, summary['id'], 1), box_mask(1))
    client.post(f"/api/clips/{summary['id']}/masks/1/undo")  # forgetting can be undone too
    assert read_mask(client, summary['id'], 1)[20, 5] == 2


def test_forgetting_the_edits_of_a_never_propagated_frame_empties_it(client):
    summary, _ = open_clip(client, count=3)
    set_mask(client, summary['id'], 0, box_mask(4))
    assert client.delete(f"/api/clips/{summary['id']}/masks/0/edit").json()['clip']['edited'] \
        == []
    assert not read_mask(client, summary['id'], 0).any()


@pytest.mark.parametrize('mode,value,expected', [('P', 3, 3), ('L', 2, 2), ('L', 255, 1)])
def test_an_index_png_sets_a_frames_mask(client, mode, value, expected):
    summary, _ = open_clip(client)
    data = png_bytes(box_mask(value), palette=mode == 'P')
    response = client.post(f"/api/clips/{summary['id']}/masks/0/png",
                           files={'file': ('first.png', data)})
    assert response.status_code == 200, response.text
    assert response.json()['clip']['edited'] == [0]
    np.testing.assert_array_equal(read_mask(client, summary['id'], 0), box_mask(expected))


# a frame for the box: a red disk on green with a blue patch on its right, and a blue stripe
# at the left edge, in the box's margin: the box alone takes blue for background
BOX_SIZE = (48, 64)
BOX = [10, 10, 44, 40]
_ys, _xs = np.mgrid[:BOX_SIZE[0], :BOX_SIZE[1]]
DISK = (_ys - 24) ** 2 + (_xs - 24) ** 2 <= 12 ** 2
PATCH = (_ys >= 18) & (_ys < 30) & (_xs >= 34) & (_xs < 42)


def box_clip(client):
    rng = np.random.default_rng(0)
    colour = np.full((*BOX_SIZE, 3), [40, 160, 40], float)
    colour[DISK] = [200, 30, 30]
    colour[PATCH | (_xs < 6)] = [30, 30, 220]
    frame = np.clip(colour + rng.normal(0, 12, colour.shape), 0, 255).astype(np.uint8)
    response = upload(client, zip_bytes({'0.png': png_bytes(frame)}), 'disk.zip')
    return response.json(), frame


def iou(a, b):
    return (a & b).sum() / (a | b).sum()
