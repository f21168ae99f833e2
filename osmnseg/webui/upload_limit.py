"""The request-body size limit (``--max-upload-mb``), checked before a body is read.

A request with a body must state its size (``Content-Length``, as browsers do for uploads);
one that states more than the limit is answered 413, one that states none 411. The server
(uvicorn) reads no more than the stated length, so nothing larger reaches the routes. Painting
(a stroke, a box, a hint: a few KB of JSON) is never held to ``--max-upload-mb`` but to its own
:data:`EDIT_MAX_BYTES`.
"""
import json
import re

BODY_METHODS = (b'POST', b'PUT', b'PATCH')
EDIT_MAX_BYTES = 1 << 20  # a stroke of 5000 points is about 200 KB


class UploadLimit:
    """ASGI middleware that refuses request bodies over ``max_bytes``.

    Args:
        app: the wrapped ASGI app.
        max_bytes: the largest upload accepted.
        edit_paths: a regular expression of the painting routes' paths, whose bodies may have
            :data:`EDIT_MAX_BYTES` whatever ``max_bytes`` is.
    """

    def __init__(self, app, max_bytes, edit_paths=None):
        self.app = app
        self.max_bytes = max_bytes
        self.edit_paths = re.compile(edit_paths) if edit_paths else None

    async def __call__(self, scope, receive, send):
        if scope['type'] == 'http' and scope['method'].encode() in BODY_METHODS:
            refusal = self._refusal(dict(scope['headers']), scope['path'])
            if refusal:
                await _answer(send, *refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers, path):
        """``(status, message)`` for a body that must not be read, else ``None``."""
        length = headers.get(b'content-length')
        if length is None:
            if b'transfer-encoding' in headers:
                return 411, 'the upload did not state its size (Content-Length); send it again.'
            return None
        if not length.isdigit():
            return 400, 'the upload\'s Content-Length is not a number.'
        if self.edit_paths is not None and self.edit_paths.match(path):
            if int(length) > EDIT_MAX_BYTES:
                return 413, (f'the stroke is {int(length) / 2 ** 10:.0f} KiB, over the '
                             f'{EDIT_MAX_BYTES / 2 ** 10:.0f} KiB a stroke may have; paint it '
                             'as several strokes.')
            return None
        if int(length) > self.max_bytes:
            return 413, (f'the upload is {int(length) / 2 ** 20:.1f} MiB, over the limit of '
                         f'{self.max_bytes / 2 ** 20:.1f} MiB of this server (--max-upload-mb).')
        return None


async def _answer(send, status, message):
    body = json.dumps({'detail': message}).encode()
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'application/json'),
                            (b'content-length', str(len(body)).encode()),
                            (b'connection', b'close')]})
    await send({'type': 'http.response.body', 'body': body})
