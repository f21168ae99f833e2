"""The frame loop's I/O beside the model: frames decoded ahead, results written behind.

:class:`ReadAhead` decodes the next frames in a background thread while the model runs on the
current one; :class:`WriteBehind` writes finished frames (PNGs, overlays, video) in another
thread, in order. Both queues are bounded, so memory does not grow with the video, and an error
in a thread is raised in the loop. Decoding (PIL, ffmpeg) and TensorFlow release the GIL, so
the threads overlap the model's calls. :class:`StageTimes` adds up where a frame's time goes.
"""
import dataclasses
import queue
import threading
import time

DEFAULT_DEPTH = 4  # frames decoded ahead / results waiting to be written
STAGES = ('read', 'prepare', 'model', 'merge', 'write')
_DONE = object()


@dataclasses.dataclass
class StageTimes:
    """Seconds spent per stage of the frame loop, and the frames they cover.

    ``read`` and ``write`` run in their own threads beside the model, so the stages add up to
    more than the loop's wall time when they overlap.
    """

    seconds: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    frames: int = 0

    def add(self, stage, seconds):
        self.seconds[stage] += seconds

    def merge(self, other):
        """Add ``other``'s seconds and frames to these."""
        for stage, seconds in other.seconds.items():
            self.seconds[stage] += seconds
        self.frames += other.frames

    @property
    def model_frames_per_second(self):
        """Frames per second of the model's calls alone (``frames / model seconds``)."""
        return self.frames / self.seconds['model'] if self.seconds['model'] else float('nan')

    def line(self):
        """``'per frame: read 3.1 ms, prepare 2.0 ms, ...'`` (ms per frame, each stage)."""
        frames = max(self.frames, 1)
        stages = ', '.join(f'{stage} {1000 * self.seconds[stage] / frames:.1f} ms'
                           for stage in STAGES)
        return f'per frame: {stages} (read and write run beside the model)'

    def model_alone_line(self, frames_per_second):
        """``'the model alone (its calls in this run): 20.0 frames/s; end to end / model alone
        = 0.88'`` for a loop that ran at ``frames_per_second`` end to end."""
        model_fps = self.model_frames_per_second
        return (f'the model alone (its calls in this run): {model_fps:.2f} frames/s; end to end '
                f'/ model alone = {frames_per_second / model_fps:.2f}')


class _Worker:
    """A daemon thread with an error slot; ``raise_error`` re-raises the thread's error."""

    def __init__(self, target, name):
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(target,), name=name, daemon=True)

    def _run(self, target):
        try:
            target()
        except BaseException as err:  # noqa: BLE001 - handed to the loop's thread
            self.error = err

    def raise_error(self):
        if self.error is not None:
            raise self.error


class ReadAhead:
    """Iterate over ``read(item)`` for each of ``items``, computed up to ``depth`` items ahead
    in a background thread.

    Args:
        items: any iterable (paths, arrays, a video reader's frames); consumed by the thread.
        read: ``item -> value`` (e.g. decode an image file to ``[H, W, 3] uint8``).
        depth: values kept ready at most.
        times: :class:`StageTimes` whose ``read`` stage receives the reading time.

    An error while reading is raised where the loop takes that value; leaving the loop early
    (``close``, or the ``with`` block) stops the thread after its current item.
    """

    def __init__(self, items, read, depth=DEFAULT_DEPTH, times=None):
        self.items, self.read, self.times = items, read, times
        self.queue = queue.Queue(maxsize=max(1, int(depth)))
        self.stopped = threading.Event()
        self.worker = _Worker(self._fill, 'osmnseg-read-ahead')
        self.worker.thread.start()

    def _fill(self):
        try:
            items, start = iter(self.items), time.perf_counter()
            for item in items:  # a video reader decodes while it yields: timed too
                value = self.read(item)
                if self.times is not None:
                    self.times.add('read', time.perf_counter() - start)
                if not self._put(value):
                    return
                start = time.perf_counter()
        finally:
            self._put(_DONE)

    def _put(self, value):
        while not self.stopped.is_set():
            try:
                self.queue.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        while True:
            value = self.queue.get()
            if value is _DONE:
                self.worker.thread.join()
                self.worker.raise_error()
                return
            yield value

    def close(self):
        self.stopped.set()
        self.worker.thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class WriteBehind:
    """Run ``submit``-ted writes in a background thread, in the order they came.

    Args:
        depth: writes waiting at most (``submit`` blocks beyond it, so memory stays flat).
        times: :class:`StageTimes` whose ``write`` stage receives the writing time.

    ``flush()`` waits until every write so far is done; ``close()`` flushes and stops the
    thread. The first error of a write is raised by the next ``submit``, ``flush`` or
    ``close``, and the writes after it are dropped (a failed run stops writing).
    """

    def __init__(self, depth=DEFAULT_DEPTH, times=None):
        self.times = times
        self.queue = queue.Queue(maxsize=max(1, int(depth)))
        self.worker = _Worker(self._drain, 'osmnseg-write-behind')
        self.worker.thread.start()
        self.closed = False

    def _drain(self):
        while True:
            task = self.queue.get()
            try:
                if task is _DONE:
                    return
                if self.worker.error is None:
                    start = time.perf_counter()
                    try:
                        task()
                    except BaseException as err:  # noqa: BLE001 - raised in the loop
                        self.worker.error = err
                    if self.times is not None:
                        self.times.add('write', time.perf_counter() - start)
            finally:
                self.queue.task_done()

    def submit(self, write, *args, **kwargs):
        """Queue ``write(*args, **kwargs)``."""
        self.worker.raise_error()
        self.queue.put(lambda: write(*args, **kwargs))

    def flush(self):
        """Wait for every write submitted so far; raise the first write error."""
        self.queue.join()
        self.worker.raise_error()

    def close(self):
        """Flush, then stop the thread."""
        if self.closed:
            return
        self.closed = True
        self.queue.put(_DONE)
        self.worker.thread.join()
        self.worker.raise_error()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
            return
        try:  # the loop failed: finish the thread, its own error comes second
            self.close()
        except Exception:  # noqa: BLE001
            pass
