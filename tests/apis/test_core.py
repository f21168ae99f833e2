"""InferenceCore: one frame in, merged mask and probabilities out; new objects, corrections."""
import numpy as np
import pytest

from osmnseg.apis import InferenceCore, StepOutput
from osmnseg.utils.errors import DataError, OsmnsegError

from segmenter_inputs import WORK_SIZE, box_mask, synthetic_frames

FRAME_SIZE = (48, 80)  # not the working size: outputs come back at the frame's size


@pytest.fixture()
def core(model, toy_cfg):
    return InferenceCore.from_config(model, toy_cfg)


def test_step_equals_the_video_segmenter(core, segmenter):
    frames = synthetic_frames(5)
    annotations = {0: box_mask(WORK_SIZE, (4, 4, 20, 24), 1),
                   2: box_mask(WORK_SIZE, (10, 36, 28, 60), 2)}
    expected = segmenter.segment(frames, annotations, [1, 2], {1: 0, 2: 2}, True)
    for index, (frame, result) in enumerate(zip(frames, expected, strict=True)):
        masks = {obj: annotations[index] == obj for obj in (1, 2) if index in annotations
                 and (annotations[index] == obj).any()}
        output = core.step(frame, masks or None)
        assert isinstance(output, StepOutput)
        np.testing.assert_array_equal(output.index_mask, result.mask)
        assert list(output.probabilities) == list(result.probabilities)
        for obj, probability in result.probabilities.items():
            np.testing.assert_array_equal(output.probabilities[obj], probability)
    assert core.object_ids == [1, 2]


def test_outputs_at_the_frame_size(core):
    frames = synthetic_frames(2, FRAME_SIZE)
    first = core.step(frames[0], {3: box_mask(FRAME_SIZE, (4, 4, 30, 40), 1)})
    np.testing.assert_array_equal(first.index_mask, box_mask(FRAME_SIZE, (4, 4, 30, 40), 3))
    second = core.step(frames[1])
    assert second.index_mask.shape == FRAME_SIZE and second.index_mask.dtype == np.uint8
    assert set(np.unique(second.index_mask)) <= {0, 3}
    probability = second.probabilities[3]
    assert probability.shape == FRAME_SIZE and probability.dtype == np.float32
    assert 0 <= probability.min() and probability.max() <= 1


def test_correction_replaces_the_prediction_and_guides_the_next_frame(core):
    frames = synthetic_frames(3)
    core.step(frames[0], {1: box_mask(WORK_SIZE, (4, 4, 20, 24), 1)})
    params = core.memory.params[1]
    corrected = box_mask(WORK_SIZE, (10, 30, 30, 60), 1)
    output = core.step(frames[1], {1: corrected})
    np.testing.assert_array_equal(output.index_mask, corrected)
    np.testing.assert_array_equal(output.probabilities[1], corrected.astype(np.float32))
    np.testing.assert_array_equal(core.memory.masks[1], corrected)
    assert core.memory.params[1] is params  # the visual guide is kept without reencode
    core.step(frames[1], {1: corrected}, reencode=True)
    assert core.memory.params[1] is not params


def test_objects_not_in_masks_are_predicted(core, model, toy_cfg):
    frames = synthetic_frames(2)
    alone = InferenceCore.from_config(model, toy_cfg)
    for each in (core, alone):
        each.step(frames[0], {1: box_mask(WORK_SIZE, (4, 4, 20, 24), 1)})
    output = core.step(frames[1], {2: box_mask(WORK_SIZE, (10, 36, 28, 60), 1)})
    assert sorted(output.probabilities) == [1, 2] == core.object_ids
    np.testing.assert_array_equal(output.probabilities[1], alone.step(frames[1]).probabilities[1])


def test_reset_and_remove_object(core):
    frame = synthetic_frames(1)[0]
    core.step(frame, {1: box_mask(WORK_SIZE, (4, 4, 20, 24), 1),
                      2: box_mask(WORK_SIZE, (10, 36, 28, 60), 1)})
    core.remove_object(1)
    assert core.object_ids == [2]
    assert list(core.step(frame).probabilities) == [2]
    with pytest.raises(DataError, match='object 1 is not being segmented'):
        core.remove_object(1)
    core.reset()
    assert core.object_ids == []
    output = core.step(frame)
    assert output.probabilities == {} and not output.index_mask.any()


@pytest.mark.parametrize('frame, masks, message', [
    (np.zeros((32, 64, 3), np.uint8), {1: np.ones((16, 64), bool)},
     'mask of object 1 is 16x64 but the frame is 32x64'),
    (np.zeros((32, 64), np.uint8), None, r'\[H, W, 3\] uint8'),
    (np.zeros((32, 64, 3), np.float32), None, r'\[H, W, 3\] uint8'),
    (np.zeros((32, 64, 3), np.uint8), {0: np.ones((32, 64), bool)}, 'integers >= 1'),
    (np.zeros((32, 64, 3), np.uint8), {1: np.zeros((32, 64), bool)}, 'mask given for object 1 '
                                                                       'is empty'),
])
def test_bad_inputs_are_data_errors(core, frame, masks, message):
    with pytest.raises(DataError, match=message) as error:
        core.step(frame, masks)
    assert isinstance(error.value, OsmnsegError)
    assert core.object_ids == []
