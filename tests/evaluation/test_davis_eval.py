"""The DAVIS protocol on arrays and on result folders: exclusions, aggregation, errors."""
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from osmnseg.evaluation.davis_eval import (evaluate_results_dir, evaluate_sequence, gt_object_ids,
                                           summarize)
from osmnseg.utils.errors import DataError

from davis_tree import H, W, rectangles, sequence_masks, write_masks


def test_first_and_last_frame_are_not_scored():
    gt = sequence_masks('two')
    pred = gt.copy()
    pred[0] = pred[-1] = 0  # wrong on the excluded frames only
    scores = evaluate_sequence(gt, pred, [1, 2])
    assert set(scores) == {1, 2}
    for values in scores.values():
        np.testing.assert_array_equal(values['J'], np.ones(3))
        np.testing.assert_array_equal(values['F'], np.ones(3))


def test_object_missing_from_prediction_scores_zero():
    gt = sequence_masks('two')
    pred = np.where(gt == 2, 0, gt)
    scores = evaluate_sequence(gt, pred, [1, 2])
    np.testing.assert_array_equal(scores[2]['J'], np.zeros(3))
    np.testing.assert_array_equal(scores[2]['F'], np.zeros(3))
    np.testing.assert_array_equal(scores[1]['J'], np.ones(3))


def test_prediction_with_more_objects_than_ground_truth_is_an_error():
    gt = sequence_masks('two')
    pred = gt.copy()
    pred[2, 0:2, 0:2] = 3
    with pytest.raises(DataError, match=r'object id\(s\) \[3\].*objects \[1, 2\]'):
        evaluate_sequence(gt, pred, [1, 2])


def test_size_mismatch_and_short_sequences_are_errors():
    gt = sequence_masks('one')
    with pytest.raises(DataError, match=f'size {W}x{H - 1} but the ground truth is {W}x{H}'):
        evaluate_sequence(gt, gt[:, :-1], [1])
    with pytest.raises(DataError, match='at least 3'):
        evaluate_sequence(gt[:2], gt[:2], [1])


def test_void_and_object_ids():
    first = rectangles({1: (0, 4, 0, 4), 3: (5, 9, 5, 9)})
    first[10:12] = 255
    assert gt_object_ids(first) == [1, 2, 3]
    assert gt_object_ids(np.zeros((4, 4))) == []


def test_global_metrics_are_means_over_objects_not_sequences():
    ones, zeros = {'J': np.ones(4), 'F': np.ones(4)}, {'J': np.zeros(4), 'F': np.zeros(4)}
    results = summarize({'a': {1: ones}, 'b': {1: zeros, 2: zeros, 3: zeros}})
    metrics = results.global_metrics
    assert metrics['J-Mean'] == pytest.approx(0.25)  # a mean over sequences would give 0.5
    assert metrics['F-Recall'] == pytest.approx(0.25)
    assert metrics['J&F-Mean'] == pytest.approx(0.25)
    assert [o.name for o in results.objects] == ['a_1', 'b_1', 'b_2', 'b_3']


def test_results_dir_perfect_and_without_first_last_frames(davis_root, perfect_results):
    for name in ('two', 'one'):  # the protocol never reads the first and last frame
        frames = sorted(os.listdir(os.path.join(perfect_results, name)))
        os.remove(os.path.join(perfect_results, name, frames[0]))
        os.remove(os.path.join(perfect_results, name, frames[-1]))
    results = evaluate_results_dir(davis_root, perfect_results, 2017, 'val')
    assert [o.name for o in results.objects] == ['two_1', 'two_2', 'one_1']
    assert results.global_metrics == {'J&F-Mean': 1.0, 'J-Mean': 1.0, 'J-Recall': 1.0,
                                      'J-Decay': 0.0, 'F-Mean': 1.0, 'F-Recall': 1.0,
                                      'F-Decay': 0.0}


def test_results_dir_scores_a_shifted_prediction(davis_root, tmp_path):
    results_dir = tmp_path / 'shifted'
    gt = sequence_masks('one')
    write_masks(str(results_dir / 'one'), np.roll(gt, 2, axis=2))
    results = evaluate_results_dir(davis_root, str(results_dir), 2017, 'val', sequences=['one'])
    expected = evaluate_sequence(gt, np.roll(gt, 2, axis=2), [1])
    (scores,) = results.objects
    assert scores.j_mean == pytest.approx(expected[1]['J'].mean())
    assert scores.j_mean == pytest.approx(8 * 12 / (12 * 12))  # a 10 px wide box moved by 2 px
    assert scores.f_mean == pytest.approx(expected[1]['F'].mean())


def test_missing_frame_names_the_file_and_the_size(davis_root, perfect_results):
    missing = os.path.join(perfect_results, 'one', '00002.png')
    os.remove(missing)
    with pytest.raises(DataError, match=f'{missing} is missing.*{W}x{H}'):
        evaluate_results_dir(davis_root, perfect_results, 2017, 'val')


def test_size_mismatch_in_results_dir_names_the_file(davis_root, perfect_results):
    path = os.path.join(perfect_results, 'two', '00001.png')
    write_masks(os.path.dirname(path), [np.zeros((H, W + 2), np.uint8)], ['00001'])
    with pytest.raises(DataError, match=f'{path} has size {W + 2}x{H}.*{W}x{H}'):
        evaluate_results_dir(davis_root, perfect_results, 2017, 'val')


def test_rgb_result_is_rejected_with_its_name(davis_root, perfect_results):
    path = os.path.join(perfect_results, 'two', '00003.png')
    Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(path)
    with pytest.raises(DataError, match=f'{path} is a RGB image'):
        evaluate_results_dir(davis_root, perfect_results, 2017, 'val')


def test_more_objects_in_result_files_is_an_error(davis_root, perfect_results):
    path = os.path.join(perfect_results, 'one', '00001.png')
    write_masks(os.path.dirname(path), [rectangles({2: (0, 3, 0, 3)})], ['00001'])
    with pytest.raises(DataError, match=f'{path} contains object id'):
        evaluate_results_dir(davis_root, perfect_results, 2017, 'val')


def test_davis_2016_scores_the_union_as_one_object(davis_root, tmp_path):
    os.makedirs(os.path.join(davis_root, 'ImageSets', '2016'))
    shutil.copy(os.path.join(davis_root, 'ImageSets', '2017', 'val.txt'),
                os.path.join(davis_root, 'ImageSets', '2016', 'val.txt'))
    results_dir = tmp_path / 'binary'
    for name in ('two', 'one'):  # 0/255 grey PNGs, as OSMN writes single-object results
        os.makedirs(results_dir / name)
        for t, mask in enumerate(sequence_masks(name)):
            Image.fromarray(np.where(mask > 0, 255, 0).astype(np.uint8)).save(
                results_dir / name / f'{t:05d}.png')
    results = evaluate_results_dir(davis_root, str(results_dir), 2016, 'val')
    assert [o.name for o in results.objects] == ['two_1', 'one_1']
    assert results.global_metrics['J-Mean'] == 1.0


def test_missing_split_file_is_an_error(davis_root, perfect_results):
    with pytest.raises(DataError, match='ImageSets/2017/train.txt does not exist'):
        evaluate_results_dir(davis_root, perfect_results, 2017, 'train')
