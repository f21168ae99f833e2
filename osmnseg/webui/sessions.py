"""Browser sessions and their clips, under one temporary folder per server.

A session is created on a browser's first request and named by a random cookie; it sees only
its own clips. An open page tells the server every :data:`HEARTBEAT_S` seconds that it is still
there; a session none of whose pages has been heard from for ``session_timeout_s`` has ended:
its clips and folder are removed (checked on every request). The whole tree goes when the
server stops. All clips share the server's disk budget (``--max-disk-gb``); a new clip that does
not fit pushes out clips of closed pages (not heard from for :data:`CLOSED_AFTER_S`), oldest
first.
"""
import collections
import dataclasses
import os
import secrets
import shutil
import tempfile
import threading
import time

from osmnseg.webui.clips import Clip
from osmnseg.webui.disk_budget import DiskBudget
from osmnseg.webui.errors import UnknownClipError

COOKIE_NAME = 'osmnseg_session'
HEARTBEAT_S = 30  # the page's "still open" request (static/app.js uses the same period)
CLOSED_AFTER_S = 90  # three missed heartbeats: every page of the session is closed


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one server accepts.

    Attributes:
        max_frames: the most frames of a clip (``--max-frames``).
        max_upload_mb: the largest request body in MiB (``--max-upload-mb``).
        max_clips: clips a session keeps; opening another closes its oldest.
        session_timeout_s: seconds without a request of the session's pages after which it
            ends and its files are removed (``--session-timeout``).
        max_disk_gb: the server's disk budget for all clips in GB (``--max-disk-gb``).
    """

    max_frames: int = 1000
    max_upload_mb: float = 200
    max_clips: int = 4
    session_timeout_s: float = 300
    max_disk_gb: float = 5

    @property
    def max_upload_bytes(self):
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_disk_bytes(self):
        return int(self.max_disk_gb * 1e9)


class Session:
    """One browser's clips, in its own folder."""

    def __init__(self, directory, now):
        self.directory = directory
        self.clips = collections.OrderedDict()
        self.last_seen = now
        self._lock = threading.Lock()

    def clip(self, clip_id):
        """The clip ``clip_id`` of this session.

        Raises:
            UnknownClipError: this session has no such clip.
        """
        with self._lock:
            if clip_id not in self.clips:
                raise UnknownClipError(f'this browser session has no clip {clip_id!r}; open a '
                                       'clip again.')
            return self.clips[clip_id]

    def all_clips(self):
        """The session's clips, oldest first."""
        with self._lock:
            return list(self.clips.values())

    def clip_from(self, source):
        """The session's clip opened from ``source`` (see ``Clip.source``), made the newest,
        or ``None``."""
        with self._lock:
            for clip in self.clips.values():
                if clip.source == source:
                    self.clips.move_to_end(clip.id)
                    return clip
        return None

    def add_clip(self, name, frames, limits, budget, **attributes):
        """Store a new clip from ``(label, EncodedFrame)`` pairs (see ``Clip.create``;
        ``attributes``: ``fps``, ``source``, ``sequence``); the oldest clips are closed beyond
        ``limits.max_clips``."""
        clip = Clip.create(os.path.join(self.directory, secrets.token_hex(8)), name, frames,
                           limits.max_frames, budget, **attributes)
        with self._lock:
            self.clips[clip.id] = clip
            evicted = [self.clips.popitem(last=False)[1]
                       for _ in range(len(self.clips) - limits.max_clips)]
        for old in evicted:
            old.close()
        return clip

    def pop_oldest_clip(self):
        """Remove the session's oldest clip from it and return it (``None``: it has none); the
        caller closes it."""
        with self._lock:
            return self.clips.popitem(last=False)[1] if self.clips else None

    def remove_clip(self, clip_id):
        clip = self.clip(clip_id)
        with self._lock:
            self.clips.pop(clip_id, None)
        clip.close()

    def scratch_file(self, suffix):
        """A new empty file in the session's folder for an upload or an export; the caller
        removes it."""
        handle, path = tempfile.mkstemp(suffix=suffix, dir=self.directory)
        os.close(handle)
        return path

    def close(self):
        with self._lock:
            clips, self.clips = list(self.clips.values()), collections.OrderedDict()
        for clip in clips:
            clip.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class SessionStore:
    """All sessions of a server, keyed by their cookie value.

    Args:
        limits: :class:`Limits`.
        clock: seconds, monotonic (tests pass their own).
    """

    def __init__(self, limits, clock=time.monotonic):
        self.limits = limits
        self.clock = clock
        self.root = tempfile.mkdtemp(prefix='osmnseg-webui-')
        self.budget = DiskBudget(limits.max_disk_bytes, self.evict_closed_clip)
        self._sessions = {}
        self._lock = threading.Lock()

    def checkout(self, token):
        """The session of cookie value ``token``, or a new one when it names none (also when it
        expired). Idle sessions are removed first.

        Returns:
            ``(token, session, is_new)``.
        """
        now = self.clock()
        self.expire_idle(now)
        with self._lock:
            session = self._sessions.get(token)
            is_new = session is None
            if is_new:
                token = secrets.token_urlsafe(32)
                session = Session(tempfile.mkdtemp(dir=self.root), now)
                self._sessions[token] = session
            session.last_seen = now
        return token, session, is_new

    def evict_closed_clip(self):
        """Close the oldest clip of the session heard from least recently among those whose
        pages are all closed (not heard from for ``CLOSED_AFTER_S``); ``False`` if there is
        none."""
        closed_since = self.clock() - min(CLOSED_AFTER_S, self.limits.session_timeout_s)
        with self._lock:
            closed = sorted((session for session in self._sessions.values()
                             if session.last_seen < closed_since and session.clips),
                            key=lambda session: session.last_seen)
        for session in closed:
            clip = session.pop_oldest_clip()
            if clip is not None:
                clip.close()
                return True
        return False

    def expire_idle(self, now):
        """Remove the sessions idle for longer than the timeout."""
        with self._lock:
            idle = [token for token, session in self._sessions.items()
                    if now - session.last_seen > self.limits.session_timeout_s]
            expired = [self._sessions.pop(token) for token in idle]
        for session in expired:
            session.close()

    def __len__(self):
        return len(self._sessions)

    def close(self):
        """Remove every session and the server's temporary folder."""
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
        shutil.rmtree(self.root, ignore_errors=True)
