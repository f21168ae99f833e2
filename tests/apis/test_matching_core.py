"""InferenceCore with a matching model: references and the previous frame's embeddings in
memory (bounded over a long clip), soft merging of several objects, corrections, removal."""
import os
import sys

import numpy as np
import pytest

from osmnseg.apis import InferenceCore, InferenceSettings
from osmnseg.apis.inference.merge import merge_scores, soft_aggregate
from osmnseg.utils.errors import ConfigError

from segmenter_inputs import box_mask, randomize, synthetic_frames

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'models'))
from tiny_models import tiny_model  # noqa: E402

SIZE = (48, 64)


@pytest.fixture(scope='module')
def match_model():
    model = tiny_model('match')
    randomize(model)
    return model


def settings(merge='soft'):
    return InferenceSettings(size=SIZE, normalize=dict(mode='rgb_unit'), merge=merge)


def memory_bytes(core):
    """Bytes of every array and tensor the core keeps between frames."""
    memory = core.memory
    arrays = list(memory.masks.values()) + [memory.prev_embedding]
    for embedding, mask in memory.references.values():
        arrays += [embedding, mask]
    return sum(np.asarray(array).nbytes for array in arrays)


def test_memory_stays_bounded_over_a_long_clip(match_model):
    core = InferenceCore(match_model, settings())
    frames = synthetic_frames(8, SIZE)
    core.step(frames[0], {1: box_mask(SIZE, (4, 4, 20, 30), 1),
                          2: box_mask(SIZE, (24, 30, 44, 60), 1)})
    sizes = []
    for index in range(1, 120):
        output = core.step(frames[index % len(frames)])
        assert output.index_mask.shape == SIZE
        sizes.append(memory_bytes(core))
    assert len(set(sizes)) == 1  # one annotated frame per object and one previous frame
    assert sorted(core.memory.references) == [1, 2]


def test_objects_join_late_are_corrected_and_removed(match_model):
    core = InferenceCore(match_model, settings())
    frames = synthetic_frames(5, SIZE)
    core.step(frames[0], {1: box_mask(SIZE, (4, 4, 20, 30), 1)})
    reference = core.memory.references[1]
    core.step(frames[1])
    late = box_mask(SIZE, (24, 30, 44, 60), 1)
    output = core.step(frames[2], {2: late})
    np.testing.assert_array_equal(output.index_mask == 2, late.astype(bool))
    assert core.object_ids == [1, 2] and core.memory.references[1] is reference
    corrected = box_mask(SIZE, (10, 10, 30, 40), 1)
    core.step(frames[3], {1: corrected}, reencode=True)
    assert core.memory.references[1] is not reference
    np.testing.assert_array_equal(core.memory.masks[1], corrected)
    core.remove_object(2)
    assert set(np.unique(core.step(frames[4]).index_mask)) <= {0, 1}
    assert list(core.memory.references) == [1]


def test_soft_merge_keeps_objects_apart(match_model):
    core = InferenceCore(match_model, settings())
    frames = synthetic_frames(3, SIZE)
    core.step(frames[0], {1: box_mask(SIZE, (4, 4, 30, 40), 1),
                          2: box_mask(SIZE, (10, 20, 44, 60), 1)})
    output = core.step(frames[1])
    masks = core.memory.masks
    assert not (masks[1] & masks[2]).any()  # each object's next prior is its merged region
    np.testing.assert_array_equal(masks[1], output.index_mask == 1)


def test_soft_aggregation_sums_to_one_and_keeps_one_object():
    rng = np.random.default_rng(0)
    scores = {1: rng.random((4, 5), dtype=np.float32), 2: rng.random((4, 5), dtype=np.float32)}
    background, aggregated = soft_aggregate(scores)
    np.testing.assert_allclose(background + aggregated[1] + aggregated[2], 1.0, atol=1e-5)
    # an object wins a pixel where its odds beat the others' and the background's
    ids = merge_scores(aggregated, background)
    odds = {obj: s / (1 - s) for obj, s in scores.items()}
    back_odds = np.prod([1 - s for s in scores.values()], axis=0)
    back_odds = back_odds / (1 - back_odds)
    expected = np.argmax(np.stack([back_odds, odds[1], odds[2]]), axis=0)
    np.testing.assert_array_equal(ids, expected)
    background, single = soft_aggregate({1: scores[1]})
    np.testing.assert_array_equal(single[1], scores[1])
    np.testing.assert_array_equal(background, 1 - scores[1])


def test_unknown_merge_mode_is_refused():
    with pytest.raises(ConfigError, match="test_cfg.merge='max'"):
        InferenceSettings(merge='max')


def test_warm_up_traces_every_call_a_video_of_another_size_needs(match_model):
    from osmnseg.apis import VideoSegmenter

    segmenter = VideoSegmenter(match_model, InferenceSettings(normalize=dict(mode='rgb_unit'),
                                                              merge='soft'))
    assert segmenter.warm_up() > 0
    functions = segmenter.prepared._functions._functions
    traced = {key: function.experimental_get_tracing_count()
              for key, function in functions.items()}
    assert {key[0] for key in traced} >= {'_embed', '_track'}
    assert segmenter.times.frames == 0  # the warm-up's frames are not counted

    frames = synthetic_frames(4, (40, 56))  # another size, two objects
    annotations = {0: box_mask((40, 56), (4, 4, 20, 30), 1) + box_mask((40, 56),
                                                                      (24, 30, 36, 50), 2)}
    results = list(segmenter.segment(frames, annotations))
    assert len(results) == 4 and results[0].mask.shape == (40, 56)
    assert {key: function.experimental_get_tracing_count()
            for key, function in functions.items()} == traced  # nothing traced again
