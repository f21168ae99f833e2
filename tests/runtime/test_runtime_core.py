"""``RuntimeCore`` with ONNX Runtime and LiteRT gives TensorFlow's masks (``VideoSegmenter``) on
tiny models of both kinds, resizes frames of another size as TensorFlow does, keeps a bounded
memory and refuses bad masks."""
import numpy as np
import pytest
from PIL import Image

from osmnseg.io.images import read_image
from osmnseg.io.masks import binarize_mask, object_ids_in
from osmnseg.runtime.core import RuntimeCore
from osmnseg.runtime.model import ExportedModel
from osmnseg.utils.errors import DataError

from tiny_exports import mismatch


def runtime_masks(export_dir, frames, first_mask, backend=None):
    core = RuntimeCore(ExportedModel.load(export_dir, backend))
    masks = {obj: binarize_mask(first_mask, obj) for obj in object_ids_in(first_mask)}
    return [core.step(frame, masks if index == 0 else None) for index, frame in enumerate(frames)]


def clip(tiny_model, scale=1):
    """``(frames, first index mask)`` of the first test sequence, optionally upscaled."""
    sequence = tiny_model.sequence()
    frames = [read_image(path) for path in sequence.frame_paths]
    first = sequence.start_annotations[0]
    if scale != 1:
        size = (frames[0].shape[1] * scale, frames[0].shape[0] * scale)
        frames = [np.asarray(Image.fromarray(frame).resize(size, Image.BILINEAR))
                  for frame in frames]
        first = np.asarray(Image.fromarray(first).resize(size, Image.NEAREST))
    return frames, first


@pytest.mark.parametrize('kind, export_format', [('osvos', 'onnx'), ('match', 'onnx'),
                                                 ('osvos', 'tflite')])
def test_masks_equal_tensorflow(tiny_models, exports, kind, export_format):
    frames, first = clip(tiny_models[kind])
    expected = tiny_models[kind].tensorflow_masks(frames, first)
    masks = runtime_masks(exports(kind, export_format), frames, first)
    assert len(masks) == len(frames) and masks[0].shape == frames[0].shape[:2]
    assert mismatch(masks, expected) <= 1e-3  # float32 graphs: equal up to rare ties
    assert mismatch(masks[1:], masks[:1] * (len(masks) - 1)) > 0.01  # the masks moved
    assert len(object_ids_in(masks[-1])) >= 2  # several objects propagated and merged


def test_frames_of_another_size_are_resized_as_tensorflow_does(tiny_models, exports):
    frames, first = clip(tiny_models['osvos'], scale=2)
    masks = runtime_masks(exports('osvos', 'onnx'), frames, first)
    assert masks[-1].shape == frames[-1].shape[:2] == (96, 128)  # the export works at 32x64
    assert mismatch(masks, tiny_models['osvos'].tensorflow_masks(frames, first)) <= 1e-3


def test_matching_memory_stays_bounded(tiny_models, exports):
    frames, first = clip(tiny_models['match'])
    core = RuntimeCore(ExportedModel.load(exports('match', 'onnx')))
    core.step(frames[0], {obj: binarize_mask(first, obj) for obj in object_ids_in(first)})
    sizes = set()
    for index in range(1, 25):
        core.step(frames[index % len(frames)])
        arrays = [core.prev_embedding, *core.masks.values(),
                  *[array for reference in core.references.values() for array in reference]]
        sizes.add(sum(array.nbytes for array in arrays))
    assert len(sizes) == 1 and sorted(core.references) == object_ids_in(first)


def test_bad_masks_are_refused(tiny_models, exports):
    frames, first = clip(tiny_models['osvos'])
    core = RuntimeCore(ExportedModel.load(exports('osvos', 'onnx')))
    with pytest.raises(DataError, match='the mask of object 1 is 10x10 but the frame is 48x64'):
        core.step(frames[0], {1: np.ones((10, 10), np.uint8)})
    with pytest.raises(DataError, match='the mask given for object 4 is empty'):
        core.step(frames[0], {4: np.zeros(frames[0].shape[:2], np.uint8)})
    with pytest.raises(DataError, match='object ids are integers 1..255 .* got 0; renumber'):
        core.step(frames[0], {0: first})
