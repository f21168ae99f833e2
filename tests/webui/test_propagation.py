"""Propagation through the API: progress, corrections, re-encoding, cancel, one job per clip,
and the real inference core behind the same routes."""
import threading
import time

import numpy as np

from osmnseg.webui.propagation import PropagationJob, frame_corrections
from webui_client import finish, open_clip, session_of, set_mask
from webui_inputs import SIZE, FakeCore, blocked_factory, box_mask


def paint(client, clip_id, index, mask):
    set_mask(client, clip_id, index, mask)


def propagate(client, clip_id, start, reencode=False):
    response = client.post(f'/api/clips/{clip_id}/propagation',
                           json=dict(start=start, reencode=reencode))
    assert response.status_code == 200, response.text
    return response.json()


def test_propagation_fills_every_later_frame_and_reports_progress(client, factory):
    summary, _ = open_clip(client, count=6)
    first = box_mask(1) + box_mask(2, box=(18, 24, 22, 30))
    paint(client, summary['id'], 0, first)
    propagate(client, summary['id'], 0)
    status = finish(client, summary['id'])
    assert status['state'] == 'done' and status['done'] == status['total'] == 6
    assert status['fps'] > 0
    clip = session_of(client).clip(summary['id'])
    for index in range(6):
        np.testing.assert_array_equal(clip.mask(index), first)
    [core] = factory.cores
    assert core.steps[0] == (0, [1, 2], False)  # frame 0 with both objects' masks
    assert [step[1] for step in core.steps[1:]] == [None] * 5  # then predictions only
    assert client.get(f"/api/clips/{summary['id']}").json()['edited'] == [0]


def test_a_correction_is_propagated_from_its_frame_keeping_the_visual_guide(client, factory):
    summary, _ = open_clip(client, count=6)
    paint(client, summary['id'], 0, box_mask(1))
    propagate(client, summary['id'], 0)
    finish(client, summary['id'])
    corrected = box_mask(1, box=(10, 10, 20, 30))
    paint(client, summary['id'], 3, corrected)
    propagate(client, summary['id'], 3, reencode=True)
    finish(client, summary['id'])
    clip = session_of(client).clip(summary['id'])
    for index in range(3):
        np.testing.assert_array_equal(clip.mask(index), box_mask(1))
    for index in range(3, 6):
        np.testing.assert_array_equal(clip.mask(index), corrected)
    [core] = factory.cores
    assert core.resets == 1  # from frame 0 only; the later start keeps the objects
    assert core.steps[6] == (3, [1], True)
    assert [step[0] for step in core.steps[6:]] == [3, 4, 5]


def test_a_later_edited_frame_is_kept_and_guides_the_frames_after_it(client, factory):
    summary, _ = open_clip(client, count=6)
    paint(client, summary['id'], 0, box_mask(1))
    later = box_mask(1, box=(0, 0, 5, 5)) + box_mask(2, box=(20, 20, 24, 32))
    paint(client, summary['id'], 4, later)
    propagate(client, summary['id'], 0)
    finish(client, summary['id'])
    clip = session_of(client).clip(summary['id'])
    np.testing.assert_array_equal(clip.mask(3), box_mask(1))
    np.testing.assert_array_equal(clip.mask(4), later)  # not overwritten
    np.testing.assert_array_equal(clip.mask(5), later)  # object 2 starts at frame 4
    assert factory.cores[0].steps[4] == (4, [1, 2], False)


def test_a_start_at_or_before_the_first_start_encodes_the_objects_again(client, factory):
    summary, _ = open_clip(client, count=4)
    paint(client, summary['id'], 1, box_mask(1))
    propagate(client, summary['id'], 1)
    finish(client, summary['id'])
    paint(client, summary['id'], 0, box_mask(2))
    propagate(client, summary['id'], 0)
    finish(client, summary['id'])
    [core] = factory.cores
    assert core.resets == 2 and core.object_ids == [1, 2]  # 1 came back at edited frame 1


def test_an_object_missing_from_a_corrected_frame_is_corrected_to_empty():
    masks = frame_corrections(box_mask(2), known_ids=[1, 2])
    assert sorted(masks) == [1, 2] and not masks[1].any()
    np.testing.assert_array_equal(masks[2], box_mask(1))


def test_progress_moves_while_running_and_cancel_stops_before_the_next_frame(make_client):
    factory = blocked_factory()
    client = make_client(core_factory=factory)
    summary, _ = open_clip(client, count=5)
    url = f"/api/clips/{summary['id']}"
    paint(client, summary['id'], 0, box_mask(1))
    status = propagate(client, summary['id'], 0)
    assert (status['state'], status['done'], status['total']) == ('running', 0, 5)
    [core] = factory.cores
    assert core.entered.acquire(timeout=60)  # in the step of frame 0
    factory.gate.release()
    assert core.entered.acquire(timeout=60)  # frame 0 done, in the step of frame 1
    job = session_of(client).clip(summary['id']).job
    wait_until(lambda: job.done == 1)  # counted once written, behind the model
    status = client.get(f'{url}/propagation').json()
    assert (status['state'], status['done']) == ('running', 1)
    stroke = dict(points=[[3, 3]], radius=2)
    refused = [client.post(f'{url}/masks/1/strokes', json=stroke),
               client.post(f'{url}/masks/1/box', json=dict(box=[0, 0, 20, 20])),
               client.post(f'{url}/masks/0/undo'),
               client.delete(f'{url}/masks/0/edit'),
               client.post(f'{url}/propagation', json=dict(start=0)),
               client.get(f'{url}/export/masks.zip')]
    assert [r.status_code for r in refused] == [409] * 6
    assert 'being propagated' in refused[0].json()['detail']
    client.post(f'{url}/propagation/cancel')
    factory.gate.release(5)
    status = finish(client, summary['id'])
    assert (status['state'], status['done']) == ('cancelled', 2)
    assert client.post(f'{url}/masks/1/strokes', json=stroke).status_code == 200


def test_the_clip_is_free_once_the_end_is_reported_while_the_thread_still_lives(
        client, monkeypatch):
    """The page exports as soon as it sees ``done``; the job's thread may not have exited."""
    linger = threading.Event()
    run = PropagationJob.run
    monkeypatch.setattr(PropagationJob, 'run', lambda job: (run(job), linger.wait(60)))
    summary, _ = open_clip(client, count=3)
    url = f"/api/clips/{summary['id']}"
    paint(client, summary['id'], 0, box_mask(1))
    propagate(client, summary['id'], 0)
    job = session_of(client).clip(summary['id']).job
    while client.get(f'{url}/propagation').json()['state'] == 'running':
        time.sleep(0.01)
    assert job.is_alive()
    try:
        assert client.get(f'{url}/export/masks.zip').status_code == 200
        stroke = dict(points=[[3, 3]], radius=2)
        assert client.post(f'{url}/masks/1/strokes', json=stroke).status_code == 200
    finally:
        linger.set()


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'the condition did not come true in time'
        time.sleep(0.01)


def test_a_propagated_frame_loses_its_undo_history(client):
    summary, _ = open_clip(client, count=3)
    paint(client, summary['id'], 0, box_mask(1))
    paint(client, summary['id'], 1, box_mask(2))
    client.delete(f"/api/clips/{summary['id']}/masks/1/edit")  # frame 1 is predicted again
    assert client.get(f"/api/clips/{summary['id']}").json()['history'] == {'0': [1, 0],
                                                                           '1': [2, 0]}
    propagate(client, summary['id'], 0)
    finish(client, summary['id'])
    assert client.get(f"/api/clips/{summary['id']}").json()['history'] == {'0': [1, 0]}


class BrokenCore(FakeCore):
    def step(self, frame, masks=None, reencode=False):
        raise RuntimeError('out of memory')


def test_a_failing_core_reports_its_message(make_client):
    client = make_client(core_factory=BrokenCore)
    summary, _ = open_clip(client, count=3)
    paint(client, summary['id'], 0, box_mask(1))
    propagate(client, summary['id'], 0)
    status = finish(client, summary['id'])
    assert status['state'] == 'failed' and 'out of memory' in status['message']


def test_the_real_core_propagates_through_the_routes(make_client, real_core_factory):
    client = make_client(core_factory=real_core_factory)
    summary, _ = open_clip(client, count=4)
    paint(client, summary['id'], 0, box_mask(1))
    propagate(client, summary['id'], 0)
    status = finish(client, summary['id'])
    assert status['state'] == 'done' and status['done'] == 4
    clip = session_of(client).clip(summary['id'])
    masks = np.stack([clip.mask(index) for index in range(4)])
    assert masks.shape == (4, *SIZE) and set(np.unique(masks[1:])) <= {0, 1}
