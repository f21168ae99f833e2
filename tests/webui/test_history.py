"""A frame's undo and redo states: order, the depth bound, redo cleared by a new edit."""
import numpy as np

from osmnseg.webui.history import UNDO_DEPTH, BoxSession, FrameHistory, FrameState


def state(value, edited=True):
    return FrameState.of(np.full((3, 4), value, np.uint8), edited, None)


def test_states_come_back_in_order_and_a_new_edit_clears_redo():
    history = FrameHistory()
    history.record(state(0, edited=False))
    history.record(state(1))
    back = history.step_back(state(2))
    assert back.mask((3, 4))[0, 0] == 1 and history.counts() == [1, 1]
    forward = history.step_forward(back)
    assert forward.mask((3, 4))[0, 0] == 2 and history.counts() == [2, 0]
    history.step_back(forward)
    history.record(state(5))
    assert history.counts() == [2, 0] and history.step_forward(state(6)) is None


def test_only_the_last_states_are_kept():
    history = FrameHistory()
    for value in range(UNDO_DEPTH + 10):
        history.record(state(value))
    assert history.counts() == [UNDO_DEPTH, 0]
    oldest = None
    while (back := history.step_back(state(0))) is not None:
        oldest = back
    assert oldest.mask((3, 4))[0, 0] == 10


def test_a_box_session_gains_hints_without_changing_the_recorded_one():
    boxed = BoxSession(2, box=(0, 0, 5, 5))
    refined = boxed.with_hint('stroke', True)
    assert boxed.hints == () and refined.hints == (('stroke', True),)
