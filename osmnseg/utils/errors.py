"""Exceptions a user can cause. Each message is one sentence naming the file or key and the fix."""


class OsmnsegError(Exception):
    """Base class of every user-facing osmnseg error."""


class ConfigError(OsmnsegError):
    """A config file or a config override is malformed."""


class RegistryError(OsmnsegError, KeyError):
    """A ``type`` names nothing registered in a registry."""

    def __str__(self):  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ''


class BuildError(OsmnsegError):
    """A registered class could not be constructed from its config entry."""


class DataError(OsmnsegError):
    """A data set on disk is missing, malformed or inconsistent."""


class OutputError(OsmnsegError):
    """An output path cannot be written, or writing there would replace files a user has."""


class CheckpointError(OsmnsegError):
    """A checkpoint is missing, unreadable or does not match the model."""


class DeviceError(OsmnsegError):
    """A requested device is not available on this machine."""


class TrainingError(OsmnsegError):
    """Training cannot continue (e.g. the loss became non-finite)."""
