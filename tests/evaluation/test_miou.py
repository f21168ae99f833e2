"""The original OSMN mIoU (DAVIS §8.1, YouTube-Objects §8.2) on tiny hand-computed cases."""
import os

import numpy as np
import pytest
from PIL import Image

from osmnseg.evaluation.davis_eval import evaluate_results_dir
from osmnseg.evaluation.miou import davis_miou, davis_sequence_miou, youtube_objects_miou
from osmnseg.io.masks import resize_mask as resize_nearest
from osmnseg.utils.errors import DataError

from davis_tree import sequence_masks, write_masks


def test_davis_2017_sequence_miou_by_hand():
    gt = np.zeros((4, 6, 6), np.uint8)
    gt[:, 0:2, 0:2] = 1  # object 2 never appears
    pred = np.full((4, 6, 6), 2, np.uint8)  # first and last frame: all wrong, not scored
    pred[1] = gt[1]
    pred[2] = 0
    pred[2, 0:2, 0:4] = 1  # IoU 4 / 8
    pred[2, 5, 5] = 7  # ids beyond the ground truth are ignored, not an error
    miou = davis_sequence_miou(gt, pred, [1, 2])
    assert miou[1] == pytest.approx((1.0 + 0.5) / 2)
    assert miou[2] == 1.0  # empty union counts 1 in both scored frames


def test_davis_2016_binarises_both_sides():
    gt = np.zeros((3, 4, 4), np.uint8)
    gt[:, 0:2, 0:2] = 1
    gt[:, 2:4, 2:4] = 2
    pred = np.where(gt > 0, 255, 0)
    assert davis_sequence_miou(gt, pred, [1, 2], year=2016) == {1: 1.0}


def test_prediction_is_resized_to_the_ground_truth_with_nearest():
    small = np.array([[0, 1], [1, 0]], np.uint8)
    np.testing.assert_array_equal(resize_nearest(small, (4, 4)),
                                  np.kron(small, np.ones((2, 2), np.uint8)))
    gt = np.kron(small, np.ones((2, 2), np.uint8))[None].repeat(3, axis=0)
    assert davis_sequence_miou(gt, small[None].repeat(3, axis=0), [1]) == {1: 1.0}


def test_davis_miou_of_a_result_folder_equals_j_mean(davis_root, tmp_path):
    results_dir = tmp_path / 'shifted'
    for name in ('two', 'one'):
        write_masks(str(results_dir / name), np.roll(sequence_masks(name), 1, axis=1))
    miou, entries = davis_miou(davis_root, str(results_dir), 2017, 'val')
    assert list(entries) == ['two_1', 'two_2', 'one_1']
    assert miou == pytest.approx(np.mean(list(entries.values())))
    # on merged same-size PNGs the per-frame IoU is J: mIoU 2017 == J-Mean over objects
    results = evaluate_results_dir(davis_root, str(results_dir), 2017, 'val')
    assert miou == pytest.approx(results.global_metrics['J-Mean'])
    assert 0 < miou < 1


@pytest.fixture
def youtube_objects(tmp_path):
    """Preprocessed YouTube-Objects layout: all.txt, Labels/<seq>/<frame>.png (0/255)."""
    root, results = tmp_path / 'yto', tmp_path / 'yto_results'
    (root / 'Labels' / 'car_0001').mkdir(parents=True)
    (root / 'Labels' / 'cat_0002').mkdir(parents=True)  # a single labelled frame: skipped
    (root / 'all.txt').write_text('car_0001\ncat_0002\n')
    label = np.zeros((8, 8), np.uint8)
    label[2:6, 2:6] = 255
    for stem in ('00001', '00011', '00021'):
        Image.fromarray(label).save(root / 'Labels' / 'car_0001' / f'{stem}.png')
    Image.fromarray(label).save(root / 'Labels' / 'cat_0002' / '00001.png')
    preds = {'00001': np.zeros((8, 8)), '00011': label // 255, '00021': np.zeros((8, 8))}
    preds['00021'][2:6, 2:4] = 1  # IoU 8 / 16
    for stem, pred in preds.items():
        write_masks(str(results / 'car_0001'), [pred.astype(np.uint8)], [stem])
    return str(root), str(results)


def test_youtube_objects_miou_skips_the_first_labelled_frame(youtube_objects):
    miou, entries = youtube_objects_miou(*youtube_objects)
    assert entries == {'car_0001': pytest.approx(0.75)}  # (1 + 0.5) / 2; frame 00001 unscored
    assert miou == pytest.approx(0.75)


def test_youtube_objects_missing_result_is_an_error(youtube_objects):
    root, results = youtube_objects
    missing = os.path.join(results, 'car_0001', '00021.png')
    os.remove(missing)
    with pytest.raises(DataError, match=f'{missing} is missing'):
        youtube_objects_miou(root, results)
