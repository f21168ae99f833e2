"""Calls of the web app tests on a ``TestClient``."""
import numpy as np

from osmnseg.webui.sessions import COOKIE_NAME
from webui_inputs import SIZE, frames, frames_zip, png_bytes


def upload(client, data, filename='clip.zip'):
    """POST an upload; returns the response."""
    return client.post('/api/clips', files={'file': (filename, data)})


def open_clip(client, count=5, size=SIZE):
    """Upload a zip of ``count`` frames; returns ``(summary, frames)``."""
    clip = frames(count, size)
    response = upload(client, frames_zip(clip))
    assert response.status_code == 200, response.text
    return response.json(), clip


def set_mask(client, clip_id, index, mask):
    """Give frame ``index`` the mask ``[H, W] uint8`` (at least one object) as a palette PNG
    upload; returns the answer's JSON."""
    response = client.post(f'/api/clips/{clip_id}/masks/{index}/png',
                           files={'file': ('mask.png', png_bytes(mask, palette=True))})
    assert response.status_code == 200, response.text
    return response.json()


def read_mask(client, clip_id, index, size=SIZE):
    """Frame ``index``'s mask as the page reads it: ``[H, W] uint8``."""
    response = client.get(f'/api/clips/{clip_id}/masks/{index}')
    assert response.status_code == 200, response.text
    return np.frombuffer(response.content, np.uint8).reshape(size)


def session_of(client):
    """The server-side session of ``client`` (for joining jobs and looking at files)."""
    return client.app.state.store.checkout(client.cookies[COOKIE_NAME])[1]


def finish(client, clip_id):
    """Wait for the clip's propagation job to end; returns its status."""
    job = session_of(client).clip(clip_id).job
    job.join(timeout=60)
    assert not job.is_alive()
    return client.get(f'/api/clips/{clip_id}/propagation').json()
