"""One clip of a browser session on disk: its frames and masks as memory-mapped arrays.

Frames are written once, as they are decoded (``frames.u8``: ``[N, H, W, 3] uint8`` RGB), so a
long clip never has to fit in memory. Masks (``masks.u8``: ``[N, H, W] uint8`` object ids, 0 =
background) hold the current result of every frame: a person's edits and the propagated
predictions. Frames a person edited are remembered: propagation keeps their masks and uses them
as guides. The folder and file names are the clip's own; an upload's name is only shown.
"""
import os
import re
import shutil

import numpy as np

from osmnseg.utils.errors import DataError
from osmnseg.webui.errors import ClipBusyError

FRAMES_FILE = 'frames.u8'
MASKS_FILE = 'masks.u8'
MAX_NAME_LENGTH = 64


def _safe(text):
    """``text`` reduced to letters, digits, ``.``, ``_`` and ``-``, without leading dots."""
    return re.sub(r'[^A-Za-z0-9._-]+', '_', text).strip('._')[:MAX_NAME_LENGTH]


def _base_name(filename):
    return os.path.basename(str(filename or '').replace('\\', '/'))


def display_name(filename, default='clip'):
    """A clip name from an upload's file name: the base name without extension, made safe
    (it names the exported folder and files)."""
    return _safe(os.path.splitext(_base_name(filename))[0]) or default


def upload_label(filename):
    """How messages name an upload: its base name with extension, made safe."""
    return _safe(_base_name(filename)) or 'the upload'


def write_frames(path, frames, max_frames):
    """Append decoded frames to the raw file ``path``.

    Args:
        path: the new ``frames.u8``.
        frames: iterable of ``(label, [H, W, 3] uint8)``; the label names a frame in errors.
        max_frames: the most frames a clip may have.

    Returns:
        ``(count, (H, W))``.

    Raises:
        DataError: more than ``max_frames`` frames, frames of different sizes, or no frame.
    """
    count, size = 0, None
    with open(path, 'wb') as out:
        for label, frame in frames:
            if count == max_frames:
                raise DataError(f'the clip has more than {max_frames} frames, the limit of this '
                                'server (--max-frames); upload a shorter clip.')
            if size is None:
                size = frame.shape[:2]
            elif frame.shape[:2] != size:
                raise DataError(f'{label} is {frame.shape[1]}x{frame.shape[0]} pixels but the '
                                f'first frame is {size[1]}x{size[0]}; all frames of a clip must '
                                'have one size.')
            out.write(np.ascontiguousarray(frame, np.uint8).tobytes())
            count += 1
    if not count:
        raise DataError('the upload holds no frame; upload an MP4 or a zip of .jpg/.png frames.')
    return count, size


class Clip:
    """A clip in its folder; create one with :meth:`create`.

    Attributes:
        id: the folder's random name (the clip's id in URLs).
        name: the name shown and used for exports (see :func:`display_name`).
        frames: ``[N, H, W, 3] uint8`` read-only memory map.
        masks: ``[N, H, W] uint8`` memory map of object ids.
        edited: indices of the frames whose mask a person set.
        revision: increases with every mask change (the page reloads masks when it moves).
        job: the last :class:`~osmnseg.webui.propagation.PropagationJob`, or ``None``.
        core: the clip's inference core (created by the propagator on first use).
        anchor: the frame the core was last reset at (``None``: never propagated).
    """

    def __init__(self, directory, name, num_frames, size):
        self.directory = directory
        self.id = os.path.basename(directory)
        self.name = name
        shape = (num_frames, *size)
        self.frames = np.memmap(os.path.join(directory, FRAMES_FILE), np.uint8, 'r',
                                shape=shape + (3,))
        self.masks = np.memmap(os.path.join(directory, MASKS_FILE), np.uint8, 'w+', shape=shape)
        self.edited = set()
        self.revision = 0
        self.job = None
        self.core = None
        self.anchor = None

    @classmethod
    def create(cls, directory, name, frames, max_frames):
        """Write ``frames`` (see :func:`write_frames`) into the new folder ``directory``; the
        folder is removed again when they are refused."""
        os.makedirs(directory)
        try:
            count, size = write_frames(os.path.join(directory, FRAMES_FILE), frames, max_frames)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return cls(directory, name, count, size)

    def __len__(self):
        return self.masks.shape[0]

    @property
    def size(self):
        """``(H, W)`` of the frames."""
        return self.masks.shape[1:]

    @property
    def busy(self):
        return self.job is not None and self.job.running

    def check_index(self, index):
        """Raises ``DataError`` unless ``index`` is a frame of the clip."""
        if not 0 <= index < len(self):
            raise DataError(f'frame {index} is not in the clip (frames 0..{len(self) - 1}).')

    def _check_editable(self, index):
        self.check_index(index)
        if self.busy:
            raise ClipBusyError('the clip is being propagated; wait for it to finish or cancel '
                                'it before changing a mask.')

    def set_mask(self, index, mask):
        """A person's mask ``[H, W] uint8`` for frame ``index`` (the frame becomes edited).

        Raises:
            ClipBusyError: the clip is being propagated.
        """
        self._check_editable(index)
        self.masks[index] = mask
        self.edited.add(index)
        self.revision += 1

    def forget_edit(self, index):
        """Treat frame ``index`` as predicted again (its mask stays until the next propagation)."""
        self._check_editable(index)
        self.edited.discard(index)
        self.revision += 1

    def write_prediction(self, index, mask):
        """The propagated mask of frame ``index``."""
        self.masks[index] = mask
        self.revision += 1

    def summary(self):
        """What the page needs to know about the clip, JSON-able."""
        return dict(id=self.id, name=self.name, num_frames=len(self), height=self.size[0],
                    width=self.size[1], edited=sorted(self.edited), revision=self.revision,
                    propagation=self.job.status() if self.job else None)

    def close(self):
        """Stop its propagation and remove its folder."""
        if self.job is not None:
            self.job.cancel()
            self.job.join()
        del self.frames, self.masks  # release the memory maps before the files go
        shutil.rmtree(self.directory, ignore_errors=True)
