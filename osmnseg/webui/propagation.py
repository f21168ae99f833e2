"""Propagation in a background thread: the inference core stepped frame after frame.

A job starts at a frame with a mask: the core gets that frame with every object's mask, then
each later frame alone, and its merged mask is written into the clip. Frames a person edited
on the way are not overwritten: their masks go to the core as corrections (the next frame's
spatial guide). The page polls :meth:`PropagationJob.status` and may cancel; the job stops
before its next frame. The loop is the one ``tools/test.py`` runs: frames are decoded ahead and
masks written behind the model in their own threads
(:mod:`osmnseg.apis.inference.pipeline`). TensorFlow calls on one model must not run
concurrently, so the jobs of all sessions share one lock around each step.
"""
import logging
import threading
import time

import numpy as np

from osmnseg.apis.inference.pipeline import ReadAhead, WriteBehind
from osmnseg.io.masks import object_ids_in
from osmnseg.utils.errors import DataError, OsmnsegError
from osmnseg.webui.errors import ClipBusyError

logger = logging.getLogger(__name__)


def frame_corrections(index_mask, known_ids):
    """The masks a guided frame gives the core: one per object on the frame or known to the
    core (an empty mask tells the core that a known object is not visible there).

    Args:
        index_mask: ``[H, W] uint8`` object ids.
        known_ids: ids the core is segmenting.

    Returns:
        ``{obj_id: [H, W] uint8 0/1}``.
    """
    present = set(object_ids_in(index_mask))
    return {obj: (index_mask == obj).astype(np.uint8) for obj in sorted(present | set(known_ids))}


class PropagationJob(threading.Thread):
    """Propagate a clip's masks from frame ``start`` to its last frame.

    Args:
        clip: :class:`~osmnseg.webui.clips.Clip` whose ``core`` is set.
        start: the guide frame (its mask holds at least one object).
        reencode: re-encode the visual guide of the objects on ``start`` from it.
        model_lock: the lock held around each core step.
    """

    def __init__(self, clip, start, reencode, model_lock):
        super().__init__(name=f'propagate-{clip.id}', daemon=True)
        self.clip = clip
        self.start_index = start
        self.reencode = reencode
        self.model_lock = model_lock
        self.done = 0
        self.total = len(clip) - start
        self.seconds = 0.0
        self._began = None
        self.state = 'running'
        self.message = ''
        self._cancel = threading.Event()

    @property
    def running(self):
        """True until the job has reported ``done``, ``cancelled`` or ``failed`` (the thread
        itself may live a moment longer; the clip is free as soon as the page sees the end)."""
        return self.state == 'running'

    def cancel(self):
        """Stop before the next frame (frames already propagated keep their masks)."""
        self._cancel.set()

    def status(self):
        """``{state, start, done, total, fps, message}``; state is ``running``, ``done``,
        ``cancelled`` or ``failed`` (then ``message`` says why)."""
        fps = self.done / self.seconds if self.seconds else 0.0
        return dict(state=self.state, start=self.start_index, done=self.done, total=self.total,
                    fps=round(fps, 2), message=self.message)

    def run(self):
        self._began = time.perf_counter()
        try:
            with ReadAhead(range(self.start_index, len(self.clip)), self._read) as frames, \
                    WriteBehind() as writes:
                for index, frame, guide in frames:
                    if self._cancel.is_set():
                        break
                    output = self._step(index, frame, guide)
                    writes.submit(self._finish, index, None if guide is not None else output)
            self.state = 'done' if self.done == self.total else 'cancelled'
        except OsmnsegError as err:
            self.state, self.message = 'failed', str(err)
        except Exception as err:  # the page would otherwise wait for a thread that died
            logger.exception('propagation of clip %s failed', self.clip.id)
            self.state, self.message = 'failed', f'propagation failed: {err!r}'
        finally:
            if self.state == 'running':  # ended by a BaseException: the clip must not stay busy
                self.state, self.message = 'failed', 'propagation was interrupted.'

    def _read(self, index):
        """``(index, frame, guide mask or None)``, read ahead of the model: a guided frame
        (the start, or one a person edited) gives its mask to the core."""
        guided = index == self.start_index or index in self.clip.edited
        return index, self.clip.read_frame(index), self.clip.mask(index) if guided else None

    def _step(self, index, frame, guide):
        masks = None if guide is None else frame_corrections(guide, self.clip.core.object_ids)
        with self.model_lock:
            return self.clip.core.step(frame, masks,
                                       reencode=self.reencode and index == self.start_index)

    def _finish(self, index, output):
        """Written behind the model, in frame order: a predicted frame's mask (``output``;
        ``None`` for a guided frame, whose mask stays), then the progress."""
        if output is not None:
            self.clip.write_prediction(index, output.index_mask)
        self.done += 1
        self.seconds = time.perf_counter() - self._began


class Propagator:
    """Starts propagation jobs; owns the model lock and makes each clip's core.

    Args:
        core_factory: ``() -> InferenceCore`` (one core per clip, all on the same model).
    """

    def __init__(self, core_factory):
        self.core_factory = core_factory
        self.model_lock = threading.Lock()
        self._start_lock = threading.Lock()  # two clicks must not start two jobs on one clip

    def start(self, clip, start, reencode=False):
        """Start propagating ``clip`` from frame ``start``.

        Starting at or before the frame of the last fresh start forgets every object, so each
        visual guide is encoded again; starting later keeps them (unless ``reencode``).

        Returns:
            the running :class:`PropagationJob`.

        Raises:
            DataError: ``start`` is not a frame of the clip or its mask holds no object.
            ClipBusyError: the clip is already being propagated.
        """
        clip.check_index(start)
        if not clip.mask(start).any():
            raise DataError(f'frame {start} has no object; paint or upload its mask before '
                            'propagating from it.')
        with self._start_lock:
            if clip.busy:
                raise ClipBusyError('the clip is already being propagated; wait for it or '
                                    'cancel it.')
            if clip.core is None:
                clip.core = self.core_factory()
            if clip.anchor is None or start <= clip.anchor:
                clip.core.reset()
                clip.anchor = start
            clip.job = PropagationJob(clip, start, reencode, self.model_lock)
            clip.job.start()
        return clip.job
