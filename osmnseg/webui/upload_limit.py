"""The request-body size limit (``--max-upload-mb``), checked before a body is read.

A request with a body must state its size (``Content-Length``, as browsers do for uploads);
one that states more than the limit is answered 413, one that states none 411. The server
(uvicorn) reads no more than the stated length, so nothing larger reaches the routes.
"""
import json

BODY_METHODS = (b'POST', b'PUT', b'PATCH')


class UploadLimit:
    """ASGI middleware that refuses request bodies over ``max_bytes``.

    Args:
        app: the wrapped ASGI app.
        max_bytes: the largest body accepted.
    """

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope['type'] == 'http' and scope['method'].encode() in BODY_METHODS:
            refusal = self._refusal(dict(scope['headers']))
            if refusal:
                await _answer(send, *refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers):
        """``(status, message)`` for a body that must not be read, else ``None``."""
        length = headers.get(b'content-length')
        if length is None:
            if b'transfer-encoding' in headers:
                return 411, 'the upload did not state its size (Content-Length); send it again.'
            return None
        if not length.isdigit():
            return 400, 'the upload\'s Content-Length is not a number.'
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
