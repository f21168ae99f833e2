"""The frame loop's read-ahead and write-behind threads (osmnseg/apis/inference/pipeline.py)."""
import threading
import time

import pytest

from osmnseg.apis.inference.pipeline import ReadAhead, StageTimes, WriteBehind


def test_read_ahead_keeps_the_order_and_reads_in_another_thread():
    threads = set()

    def read(item):
        threads.add(threading.current_thread().name)
        return item * 10

    times = StageTimes()
    assert list(ReadAhead(range(20), read, depth=3, times=times)) == [i * 10 for i in range(20)]
    assert threads == {'osmnseg-read-ahead'}
    assert times.seconds['read'] > 0


def test_read_ahead_reads_at_most_depth_items_ahead():
    read = []
    reader = ReadAhead(range(100), lambda i: read.append(i) or i, depth=2)
    first = next(iter(reader))
    time.sleep(0.3)
    assert first == 0 and len(read) <= 4  # the one taken, two queued, one waiting to be queued
    reader.close()


def test_a_read_error_is_raised_in_the_loop_after_the_items_before_it():
    def read(item):
        if item == 3:
            raise ValueError('frame 3 is damaged')
        return item

    seen = []
    with pytest.raises(ValueError, match='frame 3 is damaged'):
        for value in ReadAhead(range(10), read):
            seen.append(value)
    assert seen == [0, 1, 2]


def test_leaving_the_loop_early_stops_the_reader():
    reader = ReadAhead(iter(range(10 ** 6)), lambda i: i, depth=2)
    with reader:
        for value in reader:
            if value == 5:
                break
    assert not reader.worker.thread.is_alive()


def test_write_behind_runs_writes_in_order_and_flush_waits_for_them():
    written, times = [], StageTimes()
    with WriteBehind(depth=2, times=times) as writer:
        for i in range(10):
            writer.submit(lambda i: (time.sleep(0.001), written.append(i)), i)
        writer.flush()
        assert written == list(range(10))
        writer.submit(written.append, 10)
    assert written == list(range(11)) and times.seconds['write'] > 0


def test_a_write_error_is_raised_and_later_writes_are_dropped():
    written = []
    writer = WriteBehind()

    def fail():
        raise OSError('disk full')

    writer.submit(written.append, 1)
    writer.submit(fail)
    writer.submit(written.append, 2)  # queued before the error is seen, not run
    with pytest.raises(OSError, match='disk full'):
        writer.flush()
    with pytest.raises(OSError, match='disk full'):
        writer.submit(written.append, 3)
    with pytest.raises(OSError, match='disk full'):
        writer.close()
    assert written == [1]


def test_stage_times_per_frame_line():
    times = StageTimes()
    times.add('model', 0.5)
    times.add('read', 0.1)
    times.frames = 10
    other = StageTimes()
    other.add('model', 0.5)
    other.frames = 10
    times.merge(other)
    assert times.line() == ('per frame: read 5.0 ms, prepare 0.0 ms, model 50.0 ms, '
                            'merge 0.0 ms, write 0.0 ms (read and write run beside the model)')
