"""One clip of a browser session on disk: its frames as image files, its masks as PNGs.

``frames/00000.jpg`` (or ``.png``), ... are written once as the clip is opened: a zip's or a data
set's files as they are, a video's frames as JPEGs (:mod:`osmnseg.webui.media`). ``masks/00000.png``
... are palette PNGs of object ids (0 = background), the current result of each frame: a person's
edits and the propagated predictions; a frame without object has no file. A 480p DAVIS frame
takes about 0.1 MB on disk with its mask. Frames a person edited are remembered: propagation
keeps their masks and uses them as guides. Each frame's edits can be undone and redone
(:mod:`osmnseg.webui.history`). The folder and file names are the clip's own; an upload's name
is only shown.
"""
import os
import re
import shutil
import threading

import numpy as np

from osmnseg.io.images import read_image
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.utils.errors import DataError
from osmnseg.webui.errors import ClipBusyError
from osmnseg.webui.history import FrameHistory, FrameState
from osmnseg.webui.strokes import mask_checksum

FRAMES_DIR = 'frames'
MASKS_DIR = 'masks'
MAX_NAME_LENGTH = 64
KEEP = object()  # set_mask: leave the frame's box session as it is


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


def write_frames(folder, frames, max_frames, budget):
    """Write a clip's frames as ``00000.jpg``, ``00001.png``, ... into ``folder``.

    Args:
        folder: the new clip's frame folder (exists, empty).
        frames: iterable of ``(label, EncodedFrame)``; the label names a frame in errors.
        max_frames: the most frames a clip may have.
        budget: :class:`~osmnseg.webui.disk_budget.DiskBudget` charged for each file.

    Returns:
        ``(file names, (H, W))``.

    Raises:
        DataError: more than ``max_frames`` frames, frames of different sizes, or no frame.
        DiskFullError: the frames do not fit in the disk budget.
    """
    names, size, charged = [], None, 0
    try:
        for label, frame in frames:
            if len(names) == max_frames:
                raise DataError(f'the clip has more than {max_frames} frames, the limit of this '
                                'server (--max-frames); upload a shorter clip.')
            if size is None:
                size = frame.size
            elif frame.size != size:
                raise DataError(f'{label} is {frame.size[1]}x{frame.size[0]} pixels but the '
                                f'first frame is {size[1]}x{size[0]}; all frames of a clip '
                                'must have one size.')
            budget.charge(len(frame.data))
            charged += len(frame.data)
            names.append(f'{len(names):05d}{frame.suffix}')
            with open(os.path.join(folder, names[-1]), 'wb') as out:
                out.write(frame.data)
        if not names:
            raise DataError('the upload holds no frame; upload an MP4 or a zip of .jpg/.png '
                            'frames.')
    except BaseException:
        budget.add(-charged)
        raise
    return names, size


class Clip:
    """A clip in its folder; create one with :meth:`create`.

    Attributes:
        id: the folder's random name (the clip's id in URLs).
        name: the name shown and used for exports (see :func:`display_name`).
        source: what the clip was opened from (``'sequence:<name>'`` or ``'upload:<sha256>'``):
            opening it again shows this clip instead of a copy.
        sequence: the data set sequence it holds, or ``None``.
        fps: the video's frame rate, or ``None`` (frames of a zip or a data set).
        edited: indices of the frames whose mask a person set.
        revision: increases with every mask change.
        job: the last :class:`~osmnseg.webui.propagation.PropagationJob`, or ``None``.
        core: the clip's inference core (created by the propagator on first use).
        anchor: the frame the core was last reset at (``None``: never propagated).
    """

    def __init__(self, directory, name, frame_names, size, budget, fps=None, source=None,
                 sequence=None):
        self.directory = directory
        self.id = os.path.basename(directory)
        self.name = name
        self.frame_names = frame_names
        self.size = tuple(size)
        self.budget = budget
        self.fps = fps
        self.source = source
        self.sequence = sequence
        self.edited = set()
        self.revision = 0
        self.job = None
        self.core = None
        self.anchor = None
        self.mask_bytes = {}  # frame index: size of its mask file
        self.frame_bytes = sum(os.path.getsize(self.frame_path(i)) for i in range(len(self)))
        self._history = {}  # frame index: FrameHistory
        self._boxes = {}  # frame index: BoxSession
        self._unedited = {}  # frame index: FrameState before the frame's first edit
        self._lock = threading.RLock()  # one edit of the clip at a time
        os.makedirs(os.path.join(directory, MASKS_DIR), exist_ok=True)

    @classmethod
    def create(cls, directory, name, frames, max_frames, budget, **attributes):
        """Write ``frames`` (see :func:`write_frames`) into the new folder ``directory``; the
        folder is removed again when they are refused. ``attributes``: ``fps``, ``source``,
        ``sequence``."""
        os.makedirs(os.path.join(directory, FRAMES_DIR))
        try:
            names, size = write_frames(os.path.join(directory, FRAMES_DIR), frames, max_frames,
                                       budget)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return cls(directory, name, names, size, budget, **attributes)

    def __len__(self):
        return len(self.frame_names)

    @property
    def busy(self):
        return self.job is not None and self.job.running

    def check_index(self, index):
        """Raises ``DataError`` unless ``index`` is a frame of the clip."""
        if not 0 <= index < len(self):
            raise DataError(f'frame {index} is not in the clip (frames 0..{len(self) - 1}).')

    def frame_path(self, index):
        return os.path.join(self.directory, FRAMES_DIR, self.frame_names[index])

    def read_frame(self, index):
        """``[H, W, 3] uint8`` RGB of frame ``index``."""
        return read_image(self.frame_path(index))

    def mask_path(self, index):
        """The palette PNG of frame ``index``'s mask, or ``None`` when it holds no object."""
        return self._mask_file(index) if index in self.mask_bytes else None

    def _mask_file(self, index):
        return os.path.join(self.directory, MASKS_DIR, f'{index:05d}.png')

    def mask(self, index):
        """``[H, W] uint8`` object ids of frame ``index``."""
        with self._lock:  # not while its file is replaced or removed
            path = self.mask_path(index)
            return load_index_png(path) if path else np.zeros(self.size, np.uint8)

    def _write_mask(self, index, mask):
        """Store ``mask`` as the frame's PNG (replaced in one step: a reader never sees half a
        file), or remove the PNG of an empty mask."""
        path = self._mask_file(index)
        old = self.mask_bytes.pop(index, 0)
        if mask.any():
            save_palette_png(path + '.part', mask)
            os.replace(path + '.part', path)
            self.mask_bytes[index] = os.path.getsize(path)
        elif old:
            os.remove(path)
        self.budget.add(self.mask_bytes.get(index, 0) - old)
        self.revision += 1

    # ------------------------------------------------------------------ a person's edits
    def _check_editable(self, index):
        self.check_index(index)
        if self.busy:
            raise ClipBusyError('the clip is being propagated; wait for it to finish or cancel '
                                'it before changing a mask.')

    def _state(self, index, mask=None):
        return FrameState.of(self.mask(index) if mask is None else mask,
                             index in self.edited, self._boxes.get(index))

    def _restore(self, index, state):
        self._set(index, state.mask(self.size), state.edited, state.box)

    def _set(self, index, mask, edited, box):
        self._write_mask(index, mask)
        (self.edited.add if edited else self.edited.discard)(index)
        self._boxes.pop(index, None)
        if box is not None:
            self._boxes[index] = box

    def edit(self, index, change, box=KEEP):
        """Apply a person's edit to frame ``index``: ``change([H, W] uint8 mask) -> new mask``;
        the frame becomes edited and the edit can be undone.

        Args:
            box: the frame's :class:`~osmnseg.webui.history.BoxSession` after the edit
                (``KEEP``: unchanged; ``None``: none).

        Returns:
            the new mask's checksum (:func:`~osmnseg.webui.strokes.mask_checksum`).

        Raises:
            ClipBusyError: the clip is being propagated.
        """
        with self._lock:
            self._check_editable(index)
            mask = self.mask(index)
            new = np.ascontiguousarray(change(mask.copy()), np.uint8)
            before = self._state(index, mask)
            self._history.setdefault(index, FrameHistory()).record(before)
            if index not in self.edited:
                self._unedited[index] = before
            self._set(index, new, True, self._boxes.get(index) if box is KEEP else box)
            return mask_checksum(new)

    def box_session(self, index):
        """The frame's :class:`~osmnseg.webui.history.BoxSession`, or ``None``."""
        return self._boxes.get(index)

    def undo(self, index):
        """Take back frame ``index``'s last edit (nothing to take back: nothing happens)."""
        self._step(index, FrameHistory.step_back)

    def redo(self, index):
        """Apply again the edit of frame ``index`` that undo took back."""
        self._step(index, FrameHistory.step_forward)

    def _step(self, index, move):
        with self._lock:
            self._check_editable(index)
            history = self._history.get(index)
            state = history and move(history, self._state(index))
            if state is not None:
                self._restore(index, state)

    def forget_edits(self, index):
        """Give frame ``index`` back the mask it had before a person edited it (the
        propagated one, or none) and treat it as predicted again; undo takes this back."""
        with self._lock:
            self._check_editable(index)
            unedited = self._unedited.get(index)
            if index in self.edited and unedited is not None:
                self._history.setdefault(index, FrameHistory()).record(self._state(index))
                self._restore(index, unedited)

    def write_prediction(self, index, mask):
        """The propagated mask of frame ``index`` (never an edited one); its undo history ends
        here, as its earlier states no longer precede this one."""
        with self._lock:
            self._write_mask(index, mask)
            for per_frame in (self._history, self._boxes, self._unedited):
                per_frame.pop(index, None)

    def summary(self):
        """What the page needs to know about the clip, JSON-able."""
        with self._lock:
            history = {str(index): frames.counts() for index, frames in self._history.items()
                       if any(frames.counts())}
            return dict(id=self.id, name=self.name, num_frames=len(self), height=self.size[0],
                        width=self.size[1], fps=self.fps, sequence=self.sequence,
                        edited=sorted(self.edited), history=history, revision=self.revision,
                        boxes=sorted(self._boxes), disk_bytes=self.disk_bytes,
                        propagation=self.job.status() if self.job else None)

    @property
    def disk_bytes(self):
        """Bytes of its frame and mask files."""
        with self._lock:
            return self.frame_bytes + sum(self.mask_bytes.values())

    def close(self):
        """Stop its propagation, remove its folder and give its bytes back to the budget."""
        if self.job is not None:
            self.job.cancel()
            self.job.join()
        with self._lock:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.budget.add(-self.disk_bytes)
            self.frame_bytes, self.mask_bytes = 0, {}

