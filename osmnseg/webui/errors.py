"""Errors of the web app that are not about the input's content (those are ``DataError``).

The routes turn them into HTTP answers: ``UnknownClipError`` 404, ``ClipBusyError`` 409,
``DiskFullError`` 507; the page shows their one-line message.
"""
from osmnseg.utils.errors import OsmnsegError


class UnknownClipError(OsmnsegError):
    """The clip id names no clip of the requesting browser session."""


class ClipBusyError(OsmnsegError):
    """The clip is being propagated, so its masks cannot change now."""


class DiskFullError(OsmnsegError):
    """A new clip does not fit in the server's disk budget (``--max-disk-gb``)."""
