"""The server's disk budget (--max-disk-gb): clips of closed pages make room, oldest first; a
clip that does not fit beside open pages' clips is refused in one message, leaving no file."""
import os

import pytest
from fastapi.testclient import TestClient

from osmnseg.webui.disk_budget import DiskBudget
from osmnseg.webui.errors import DiskFullError
from osmnseg.webui.sessions import CLOSED_AFTER_S, Limits
from webui_client import session_of, upload
from webui_inputs import frames, frames_zip

CLIP_FRAMES = 4


def clip_zip(seed):
    """A zip of 4 frames, different for each ``seed``, all of one byte size."""
    clip = frames(CLIP_FRAMES)
    clip[:, 1, 1, 1] = seed
    return frames_zip(clip)


@pytest.fixture
def clip_bytes(make_client):
    client = make_client()
    return upload(client, clip_zip(0)).json()['disk_bytes']


def test_closed_pages_make_room_oldest_first_and_open_pages_never(make_client, clip_bytes):
    now = [0.0]
    budget_gb = 3.5 * clip_bytes / 1e9  # three clips fit
    first = make_client(limits=Limits(max_clips=4, max_disk_gb=budget_gb))
    first.app.state.store.clock = lambda: now[0]
    second = TestClient(first.app)  # another browser
    old = [upload(first, clip_zip(seed)).json()['id'] for seed in (1, 2)]
    now[0] = 10
    newest = upload(second, clip_zip(3)).json()['id']
    now[0] = 10 + CLOSED_AFTER_S + 1  # the first browser's page was closed 91 s ago
    added = upload(second, clip_zip(4))
    assert added.status_code == 200, added.text
    assert [c['id'] for c in first.get('/api/clips').json()] == [old[1]]  # its oldest went
    store = first.app.state.store
    assert store.budget.used == 3 * clip_bytes
    assert len(os.listdir(session_of(second).directory)) == 2
    assert [c['id'] for c in second.get('/api/clips').json()] == [newest, added.json()['id']]


def test_a_clip_that_does_not_fit_beside_open_pages_is_refused_without_leftovers(make_client,
                                                                                clip_bytes):
    client = make_client(limits=Limits(max_clips=4, max_disk_gb=2.5 * clip_bytes / 1e9))
    for seed in (1, 2):
        upload(client, clip_zip(seed))
    refused = upload(client, clip_zip(3))
    assert refused.status_code == 507
    detail = refused.json()['detail']
    assert "disk budget of 0.00 GB (--max-disk-gb) is full" in detail and 'close a clip' in detail
    assert len(os.listdir(session_of(client).directory)) == 2  # the partial clip is gone
    assert client.app.state.store.budget.used == 2 * clip_bytes


def test_masks_are_counted_but_never_refused():
    budget = DiskBudget(100, make_room=lambda: False)
    budget.charge(90)
    budget.add(30)  # a mask written by a propagation
    assert budget.used == 120
    with pytest.raises(DiskFullError):
        budget.charge(1)
    budget.add(-120)
    budget.charge(100)
    assert budget.used == 100
