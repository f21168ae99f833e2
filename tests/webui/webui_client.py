"""Calls of the web app tests on a ``TestClient``."""
from osmnseg.webui.sessions import COOKIE_NAME
from webui_inputs import frames, frames_zip


def upload(client, data, filename='clip.zip'):
    """POST an upload; returns the response."""
    return client.post('/api/clips', files={'file': (filename, data)})


def open_clip(client, count=5):
    """Upload a zip of ``count`` frames; returns ``(summary, frames)``."""
    clip = frames(count)
    response = upload(client, frames_zip(clip))
    assert response.status_code == 200, response.text
    return response.json(), clip


def session_of(client):
    """The server-side session of ``client`` (for joining jobs and looking at files)."""
    return client.app.state.store.checkout(client.cookies[COOKIE_NAME])[1]


def finish(client, clip_id):
    """Wait for the clip's propagation job to end; returns its status."""
    job = session_of(client).clip(clip_id).job
    job.join(timeout=60)
    assert not job.is_alive()
    return client.get(f'/api/clips/{clip_id}/propagation').json()
