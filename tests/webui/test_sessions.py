"""Sessions: each browser (cookie) sees only its own clips; upload names never choose a path;
a session whose pages are closed ends and its files go; the server's folder is removed; the
security defaults."""
import os

from fastapi.testclient import TestClient

from osmnseg.webui.app import create_app
from osmnseg.webui.sessions import COOKIE_NAME, Limits, SessionStore
from webui_client import open_clip, session_of, upload
from webui_inputs import frames, png_bytes, zip_bytes


def test_a_session_sees_only_its_own_clips(client):
    summary, _ = open_clip(client)
    stranger = TestClient(client.app)  # another browser: no cookie
    assert stranger.get('/api/clips').json() == []
    for path in ('', '/frames/0', '/masks/0', '/export/masks.zip'):
        response = stranger.get(f"/api/clips/{summary['id']}{path}")
        assert response.status_code == 404 and 'no clip' in response.json()['detail']
    assert stranger.delete(f"/api/clips/{summary['id']}").status_code == 404
    assert client.get(f"/api/clips/{summary['id']}").status_code == 200


def test_the_session_cookie_and_the_security_headers(client):
    response = client.get('/')
    cookie = response.headers['set-cookie']
    assert cookie.startswith(f'{COOKIE_NAME}=') and 'HttpOnly' in cookie
    assert 'SameSite=strict' in cookie
    assert "default-src 'self'" in response.headers['content-security-policy']
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert 'set-cookie' not in client.get('/api/clips').headers  # the same session goes on
    assert client.get('/openapi.json').status_code == 404  # no API explorer


def test_upload_names_never_choose_a_path(client):
    frame = png_bytes(frames(1)[0])
    data = zip_bytes({'../../escape.png': frame, '/abs/1.png': frame, 'a/../../2.png': frame})
    response = upload(client, data, filename='../../../etc/passwd.zip')
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary['num_frames'] == 3 and summary['name'] == 'passwd'
    store_root = client.app.state.store.root
    files = sorted(os.path.relpath(os.path.join(folder, name), store_root)
                   for folder, _, names in os.walk(store_root) for name in names)
    clip = f"{os.path.basename(session_of(client).directory)}/{summary['id']}"
    assert files == [f'{clip}/frames/0000{i}.png' for i in range(3)]
    assert not os.path.exists(os.path.join(os.path.dirname(store_root), 'escape.png'))


def test_the_page_is_told_when_its_session_ended(make_client):
    client = make_client(limits=Limits(session_timeout_s=60))
    assert client.get('/api/heartbeat').json() == {'new_session': True}
    assert client.get('/api/heartbeat').json() == {'new_session': False}
    assert client.get('/api/info').json()['heartbeat_s'] == 30


def test_a_session_without_a_page_for_the_timeout_ends_with_its_files():
    now = [0.0]
    assert Limits().session_timeout_s == 300  # five minutes; the page calls every 30 s
    store = SessionStore(Limits(session_timeout_s=60), clock=lambda: now[0])
    token, session, is_new = store.checkout(None)
    assert is_new and os.path.isdir(session.directory)
    now[0] = 59
    assert store.checkout(token)[1] is session
    now[0] = 130
    other_token, other, _ = store.checkout(None)  # any request sweeps idle sessions
    assert not os.path.exists(session.directory) and len(store) == 1
    new_token, _, is_new = store.checkout(token)  # the old cookie starts a new session
    assert is_new and new_token != token
    store.close()
    assert not os.path.exists(store.root)


def test_stopping_the_server_removes_its_folder(factory):
    with TestClient(create_app(factory)) as client:
        open_clip(client)
        root = client.app.state.store.root
        assert os.listdir(root)
    assert not os.path.exists(root)


def test_only_the_allowed_hosts_are_answered(make_client):
    client = make_client(allowed_hosts=['127.0.0.1', 'localhost'])
    assert client.get('/', headers={'host': 'localhost:7860'}).status_code == 200
    assert client.get('/', headers={'host': 'evil.example:7860'}).status_code == 400
