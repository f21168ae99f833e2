"""The server's disk budget (``--max-disk-gb``): the bytes every clip's files take, together.

A new clip's frames are charged as they are written; when one does not fit, clips of closed
pages are removed, oldest first, until it does; when none is left, the new clip is refused with
one message (and its partial files are removed). Masks, a few KB per frame, are counted as they
are written but never refused: a propagation must not fail half way.
"""
import threading

from osmnseg.webui.errors import DiskFullError

GB = 1e9


class DiskBudget:
    """Bytes used by clips against a limit.

    Args:
        max_bytes: the limit.
        make_room: ``() -> bool``; removes the oldest clip of a closed page and says whether
            there was one (called without this object's lock held: removing a clip releases
            its bytes here).
    """

    def __init__(self, max_bytes, make_room):
        self.max_bytes = max_bytes
        self.make_room = make_room
        self.used = 0
        self._lock = threading.Lock()

    def charge(self, nbytes):
        """Count ``nbytes`` of a new clip's frame, making room if needed.

        Raises:
            DiskFullError: the bytes do not fit even without the clips of closed pages.
        """
        while True:
            with self._lock:
                if self.used + nbytes <= self.max_bytes:
                    self.used += nbytes
                    return
            if not self.make_room():
                raise DiskFullError(
                    f"the server's disk budget of {self.max_bytes / GB:.2f} GB (--max-disk-gb) "
                    f'is full with the clips of open pages ({self.used / GB:.2f} GB); close a '
                    'clip you no longer need or open a shorter one.')

    def add(self, nbytes):
        """Count a change of ``nbytes`` (negative: freed) that must not be refused."""
        with self._lock:
            self.used += nbytes
