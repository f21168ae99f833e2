"""VideoSegmenter: batching, merging, late objects, output sizes; init_segmentor."""
import numpy as np
import pytest

from osmnseg.apis import InferenceSettings, init_segmentor
from osmnseg.apis.inference import merge_scores
from osmnseg.devices import build_device
from osmnseg.models.checkpoint import save_checkpoint
from osmnseg.utils.errors import DataError

from segmenter_inputs import (TINY_CONFIG, WORK_SIZE, box_mask, first_annotations,
                              multi_object_sequence, synthetic_frames)


def test_merge_scores_background_half_and_ties_to_lower_id():
    scores = {  # pixels: all <= 0.5 | tie 1-2 | 3 best | 2 best | tie 1-2-3 above 0.5
        2: np.array([[0.5, 0.7, 0.2, 0.6, 0.8]], np.float32),
        3: np.array([[0.1, 0.1, 0.9, 0.3, 0.8]], np.float32),
        1: np.array([[0.4, 0.7, 0.6, 0.2, 0.8]], np.float32),
    }
    np.testing.assert_array_equal(merge_scores(scores), [[0, 1, 3, 2, 1]])
    assert merge_scores({1: np.array([[0.2, 0.7]], np.float32)}).tolist() == [[0, 1]]


def test_batched_objects_equal_single_object_runs(segmenter, toy_dataset):
    sequence = multi_object_sequence(toy_dataset)
    args = (sequence.frame_paths, first_annotations(sequence))
    batched = list(segmenter.segment(*args, sequence.object_ids, sequence.first_frame, True,
                                     WORK_SIZE))
    singles = {obj: list(segmenter.segment(*args, [obj], {obj: 0}, True, WORK_SIZE))
               for obj in sequence.object_ids}
    for index, result in enumerate(batched):
        for obj in sequence.object_ids:
            single = singles[obj][index]
            np.testing.assert_allclose(single.probabilities[obj], result.probabilities[obj],
                                       atol=1e-5)
            np.testing.assert_array_equal(single.mask == obj, result.probabilities[obj] > 0.5)
        merged = merge_scores({obj: singles[obj][index].probabilities[obj]
                               for obj in sequence.object_ids})
        np.testing.assert_array_equal(result.mask, merged)
    assert any(len(np.unique(r.mask)) > 1 for r in batched[1:])  # not trivially empty


def test_segment_sequence_masks_at_original_size(segmenter, toy_dataset):
    sequence = toy_dataset.sequences()[0]
    results = list(segmenter.segment_sequence(sequence, return_probabilities=True))
    assert [r.index for r in results] == list(range(len(sequence)))
    for result in results:
        assert result.mask.shape == tuple(sequence.original_size) != WORK_SIZE
        assert result.mask.dtype == np.uint8
        assert set(result.probabilities) == set(sequence.object_ids)
        assert all(p.shape == tuple(sequence.original_size) for p in result.probabilities.values())
    from osmnseg.io.palette import load_index_png
    first = load_index_png(sequence.annotation_paths[sequence.frame_names[0]])
    np.testing.assert_array_equal(results[0].mask, first)  # frame 0 = its ground truth


def test_late_appearing_object_starts_at_its_first_frame(segmenter):
    frames = synthetic_frames()
    annotations = {0: box_mask(WORK_SIZE, (4, 4, 20, 24), 1),
                   2: box_mask(WORK_SIZE, (10, 36, 28, 60), 2)}  # YTVOS: only the new object
    results = list(segmenter.segment(iter(frames), annotations, [1, 2], {1: 0, 2: 2}, True))
    assert [sorted(r.probabilities) for r in results] == [[1], [1], [1, 2], [1, 2], [1, 2]]
    np.testing.assert_array_equal(results[0].mask, annotations[0])
    assert all(2 not in r.mask for r in results[:2])
    np.testing.assert_array_equal(results[2].probabilities[2], annotations[2] > 0)
    # the starting object's ground truth enters the merge as a 0/1 score (spec §8.3)
    free = (annotations[2] > 0) & (results[2].probabilities[1] <= 0.5)
    assert free.any() and (results[2].mask[free] == 2).all()


def test_frames_before_every_object_are_background(segmenter):
    annotations = {2: box_mask(WORK_SIZE, (4, 4, 20, 24), 1)}
    results = list(segmenter.segment(synthetic_frames(4), annotations, [1], {1: 2}))
    assert all(not r.mask.any() for r in results[:2])
    np.testing.assert_array_equal(results[2].mask, annotations[2])


def test_object_ids_are_integers_from_one(segmenter):
    """A single object is id 1 like any other (no ``None`` marker): the core's checks apply."""
    annotations = {0: box_mask(WORK_SIZE, (4, 4, 20, 24), 1)}
    results = list(segmenter.segment(synthetic_frames(3), annotations, [1]))
    assert all(set(np.unique(r.mask)) <= {0, 1} for r in results) and results[0].mask.any()
    with pytest.raises(DataError, match='object ids are integers >= 1'):
        list(segmenter.segment(synthetic_frames(2), annotations, [None]))


def test_object_missing_from_its_first_frame_is_an_error(segmenter):
    annotations = {0: box_mask(WORK_SIZE, (4, 4, 20, 24), 1)}
    with pytest.raises(DataError, match='object 3 has an empty mask'):
        list(segmenter.segment(synthetic_frames(2), annotations, [1, 3]))
    with pytest.raises(DataError, match='no annotation given for frame 1'):
        list(segmenter.segment(synthetic_frames(2), annotations, [1, 3], {1: 0, 3: 1}))


def test_settings_from_config_prefer_test_cfg(toy_cfg):
    settings = InferenceSettings.from_config(toy_cfg)
    assert settings.size == WORK_SIZE  # test_cfg wins over the pipeline's Resize (128, 224)
    assert settings.normalize == {'mean': (104, 117, 123), 'scale': 1.0, 'to_bgr': True}
    assert settings.pad_ratio == 0.03 and settings.guide_size == 224
    assert settings.mask_guide_background
    bbox_sup = toy_cfg.deepcopy()
    bbox_sup.data.test.pipeline = [dict(step, keys=('image', 'guide')) if step['type'] ==
                                   'Normalize' else step for step in bbox_sup.data.test.pipeline
                                   if step['type'] != 'MaskGuideBackground']
    settings = InferenceSettings.from_config(bbox_sup)
    assert not settings.mask_guide_background and 'keys' not in settings.normalize
    capped = InferenceSettings(max_size=100)
    assert capped.working_size((400, 200)) == (100, 50)
    assert capped.working_size((60, 80)) == (60, 80)


def test_init_segmentor_loads_weights_and_sets_dtype(tmp_path, model, toy_cfg):
    save_checkpoint(str(tmp_path), 3, model)
    options = {'data.test.data_root': toy_cfg.data.test.data_root}
    loaded = init_segmentor(TINY_CONFIG, str(tmp_path), cfg_options=options)
    assert loaded.cfg.filename == TINY_CONFIG
    assert loaded.cfg.data.test.data_root == toy_cfg.data.test.data_root
    assert loaded.compute_dtype.name == build_device('cpu').default_precision('inference')
    for name, variable in model.reference_variables().items():
        np.testing.assert_array_equal(loaded.reference_variables()[name].numpy(),
                                      variable.numpy())
