"""Online one-shot fine-tuning: per-object weights, exact restore, sequential merge."""
import numpy as np
import pytest
import tensorflow as tf

from osmnseg.apis import VideoSegmenter
from osmnseg.apis.online_finetune import OnlineFinetuner
from osmnseg.utils.errors import ConfigError

from segmenter_inputs import WORK_SIZE, box_mask, multi_object_sequence, synthetic_frames


def snapshot(model):
    return [v.numpy().copy() for v in model.variables]


def assert_same(model, saved):
    for variable, value in zip(model.variables, saved, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value, err_msg=variable.name)


def bn_statistics(model):
    return {name: v.numpy().copy() for name, v in model.reference_variables().items()
            if 'moving_' in name}


@pytest.fixture(scope='module')
def finetuner(model, toy_cfg):
    """Two steps at a visible learning rate, fix_bn=True (traced once, shared)."""
    return OnlineFinetuner.from_config(model, toy_cfg, iters=2, lr=1e-3)


def first_frame_sample():
    frame = synthetic_frames(1)[0]
    return frame, box_mask(WORK_SIZE, (4, 4, 20, 24), 1)


def test_weights_restored_bit_identical_after_segmenting(model, segmenter, finetuner,
                                                          toy_dataset):
    saved, fix_bn = snapshot(model), model.fix_bn
    sequence = multi_object_sequence(toy_dataset)
    plain = lambda: [r.probabilities for r in segmenter.segment_sequence(  # noqa: E731
        sequence, return_probabilities=True)]
    before = plain()
    tuned = VideoSegmenter(model, segmenter.settings, finetuner)
    results = list(tuned.segment_sequence(sequence, return_probabilities=True))
    assert len(results) == len(sequence)
    assert all(set(r.probabilities) == set(sequence.object_ids) for r in results)
    assert_same(model, saved)
    assert model.fix_bn == fix_bn
    # the prepared inference weights held the tuned weights; the restore makes them current
    for frame_before, frame_after in zip(before, plain()):
        for obj, probability in frame_before.items():
            np.testing.assert_array_equal(frame_after[obj], probability)


def test_finetuning_changes_weights_inside_the_context_only(model, finetuner):
    saved, statistics = snapshot(model), bn_statistics(model)
    frame, mask = first_frame_sample()
    with finetuner.finetuned(frame, mask, WORK_SIZE):
        changed = [not np.array_equal(v.numpy(), s) for v, s in zip(model.variables, saved)]
        assert any(changed)
        for name, value in bn_statistics(model).items():  # fix_bn=True (quirk 26)
            np.testing.assert_array_equal(value, statistics[name])
        assert model.fix_bn  # the config's fix_bn=False is overridden while fine-tuning
    assert_same(model, saved)
    assert not model.fix_bn


def test_weights_restored_after_an_error(model, finetuner):
    saved = snapshot(model)
    frame, mask = first_frame_sample()
    with pytest.raises(RuntimeError, match='boom'):
        with finetuner.finetuned(frame, mask, WORK_SIZE):
            raise RuntimeError('boom')
    assert_same(model, saved)


def test_zero_iterations_reproduce_the_batched_run(model, segmenter, toy_cfg, toy_dataset):
    sequence = multi_object_sequence(toy_dataset)
    sequential = VideoSegmenter(model, segmenter.settings,
                                OnlineFinetuner.from_config(model, toy_cfg, iters=0))
    batched = segmenter.segment_sequence(sequence, return_probabilities=True)
    for one, other in zip(batched, sequential.segment_sequence(sequence, True), strict=True):
        np.testing.assert_array_equal(one.mask, other.mask)
        for obj, probability in one.probabilities.items():
            np.testing.assert_allclose(other.probabilities[obj], probability, atol=1e-5)


def test_object_annotated_in_the_last_frame_only(model, segmenter, finetuner):
    # quirk 25: the original crashed on single-frame YouTube-VOS objects
    tuned = VideoSegmenter(model, segmenter.settings, finetuner)
    annotations = {0: box_mask(WORK_SIZE, (4, 4, 20, 24), 1),
                   2: box_mask(WORK_SIZE, (10, 36, 28, 60), 2)}
    results = list(tuned.segment(synthetic_frames(3), annotations, [1, 2], {1: 0, 2: 2}, True))
    assert [sorted(r.probabilities) for r in results] == [[1], [1], [1, 2]]
    np.testing.assert_array_equal(results[2].probabilities[2], annotations[2] > 0)


def test_invalid_settings_are_config_errors(model, toy_cfg):
    with pytest.raises(ConfigError, match='iters must be >= 0'):
        OnlineFinetuner.from_config(model, toy_cfg, iters=-1)
    no_train = toy_cfg.deepcopy()
    no_train.data.train.pipeline = []
    with pytest.raises(ConfigError, match='data.train.pipeline'):
        OnlineFinetuner.from_config(model, no_train, iters=1)


def test_trainable_limits_fine_tuning_to_the_named_sub_networks(model, toy_cfg):
    finetuner = OnlineFinetuner.from_config(model, toy_cfg, iters=2, lr=1e-3,
                                            trainable=['head'])
    head = {id(v) for v in model.head.trainable_variables}
    assert {id(v) for v in finetuner.variables} == head
    saved = snapshot(model)
    frame, mask = first_frame_sample()
    with finetuner.finetuned(frame, mask, WORK_SIZE):
        for variable, value in zip(model.variables, saved):
            if variable.trainable and id(variable) not in head:
                np.testing.assert_array_equal(variable.numpy(), value, err_msg=variable.name)
        assert any(not np.array_equal(v.numpy(), s) for v, s in zip(model.variables, saved)
                   if id(v) in head)
    assert_same(model, saved)
    with pytest.raises(ConfigError, match=r"online_finetune.trainable: \['decoder'\] is not a "
                                          'sub-network of this model'):
        OnlineFinetuner.from_config(model, toy_cfg, iters=1, trainable=['decoder'])


def test_the_matching_recipe_moves_the_previous_frame_of_its_finetuning_samples(model):
    """One annotated frame is its own previous frame: the recipe's ``online_finetune.pipeline``
    zooms and shifts that copy, where its training pipeline would leave the two identical; the
    recipe also keeps half of the fine-tuned change (WiSE-FT)."""
    import os

    from osmnseg.config import Config

    recipe = Config.fromfile(os.path.join(os.path.dirname(__file__), '..', '..', 'configs',
                                          'osmn_match_mobilenet_v1_davis2016.py'))
    frame = synthetic_frames(1)[0]
    mask = box_mask(frame.shape[:2], (10, 8, 40, 30), 1)

    def moved(cfg):
        finetuner = OnlineFinetuner.from_config(model, cfg, iters=1)
        rng = np.random.default_rng(0)
        samples = [finetuner.sample(frame, mask, WORK_SIZE, rng) for _ in range(6)]
        assert set(samples[0]) == {'image', 'label', 'guide_image', 'guide_mask',
                                   'prev_image', 'prev_mask'}
        return [not np.array_equal(s['prev_mask'].numpy(), s['label'].numpy())
                for s in samples]

    assert all(moved(recipe))
    assert OnlineFinetuner.from_config(model, recipe, iters=1).finetuned_weight == 0.5
    recipe.online_finetune.pop('pipeline')  # back to the training pipeline
    assert not any(moved(recipe))


def test_cosine_schedule_decays_the_rate_to_zero_and_restarts_per_object(model, toy_cfg):
    finetuner = OnlineFinetuner.from_config(model, toy_cfg, iters=4, lr=1e-3,
                                            lr_schedule='cosine')
    saved = snapshot(model)
    frame, mask = first_frame_sample()
    for _ in range(2):  # a second object starts again from the full rate
        with finetuner.finetuned(frame, mask, WORK_SIZE):
            assert int(finetuner.optimizer.iterations) == 4
            assert float(finetuner.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)
        finetuner._reset_optimizer()
        assert float(finetuner.optimizer.learning_rate) == pytest.approx(1e-3)
    assert_same(model, saved)
    with pytest.raises(ConfigError, match="online_finetune.lr_schedule='linear' is unknown"):
        OnlineFinetuner.from_config(model, toy_cfg, iters=1, lr_schedule='linear')


def test_finetuned_weight_interpolates_back_towards_the_saved_weights(model, toy_cfg):
    """WiSE-FT: the weights used are ``saved + w * (trained - saved)`` for the fine-tuned
    variables; the rest (BN statistics with fix_bn) never move, and all are restored."""
    saved = snapshot(model)
    frame, mask = first_frame_sample()
    trained = {}
    for weight in (1.0, 0.25):
        finetuner = OnlineFinetuner.from_config(model, toy_cfg, iters=2, lr=1e-3,
                                                finetuned_weight=weight)
        assert finetuner.finetuned_weight == weight
        finetuner._optimise = lambda *args: [  # a known change of every fine-tuned variable
            variable.assign_add(tf.ones_like(variable)) for variable in finetuner.variables]
        with finetuner.finetuned(frame, mask, WORK_SIZE):
            trained[weight] = snapshot(model)
        assert_same(model, saved)
    finetuned = {id(v) for v in model.trainable_variables}
    for variable, start, full, mixed in zip(model.variables, saved, trained[1.0],
                                            trained[0.25]):
        change = 1.0 if id(variable) in finetuned else 0.0
        np.testing.assert_allclose(full, start + change, rtol=1e-6, err_msg=variable.name)
        np.testing.assert_allclose(mixed, start + 0.25 * change, rtol=1e-6,
                                   err_msg=variable.name)
    with pytest.raises(ConfigError, match=r'finetuned_weight=1.5 must lie in \[0, 1\]'):
        OnlineFinetuner.from_config(model, toy_cfg, iters=1, finetuned_weight=1.5)
