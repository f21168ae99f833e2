"""DAVIS 2016/2017 reader on a tiny data set in the official layout (see conftest.py)."""
import os

import numpy as np
from vos_layouts import SINGLE, H, W, label_with, write_davis_sequence, write_frame, write_split
from PIL import Image

from osmnseg.datasets import DAVIS, VideoSequence, build_dataset
from osmnseg.io.palette import load_index_png

SAMPLE_KEYS = {'image_path', 'label_path', 'guide_image_path', 'guide_label_path',
               'prev_label_path', 'prev_image_path', 'obj_id', 'sequence', 'frame',
               'flip_image'}


def _pairs(dataset, sequence, obj_id):
    return [(os.path.basename(s['prev_label_path'])[:5], s['frame'],
             os.path.basename(s['guide_label_path'])[:5])
            for s in dataset.samples if s['sequence'] == sequence and s['obj_id'] == obj_id]


def test_davis2017_default_pairs_use_frame0_guide(davis_root):
    dataset = DAVIS(davis_root, version=2017, split='train', pipeline=[])
    # two-objects: 2 objects x 5 consecutive pairs; single: 1 object x 2 pairs.
    assert len(dataset) == 12
    assert all(set(s) == SAMPLE_KEYS for s in dataset.samples)
    assert _pairs(dataset, 'two-objects', 2) == [
        ('00000', '00001', '00000'), ('00001', '00002', '00000'), ('00002', '00003', '00000'),
        ('00003', '00004', '00000'), ('00004', '00005', '00000')]
    sample = dataset.samples[0]
    assert sample['image_path'] == os.path.join(davis_root, 'JPEGImages', '480p', 'two-objects',
                                                '00001.jpg')
    assert sample['label_path'] == os.path.join(davis_root, 'Annotations', '480p',
                                                'two-objects', '00001.png')
    assert sample['flip_image'] is False


def test_davis2016_is_one_object_per_sequence(davis_root):
    dataset = DAVIS(davis_root, version=2016, split='train', pipeline=[])
    assert len(dataset) == 5 + 2
    assert {s['obj_id'] for s in dataset.samples} == {None}


def test_sequences_follow_the_test_protocol(davis_root):
    dataset = DAVIS(davis_root, version=2017, split='train', pipeline=[], test_mode=True)
    assert dataset.samples == []
    single, two = dataset.sequences()
    assert isinstance(two, VideoSequence)
    assert two.name == 'two-objects'
    assert two.object_ids == [1, 2]
    assert two.first_frame == {1: 0, 2: 0}
    assert two.frame_names == [f'{i:05d}' for i in range(6)]
    assert two.eval_frames == two.frame_names
    assert two.annotation_paths['00003'] == os.path.join(davis_root, 'Annotations', '480p',
                                                         'two-objects', '00003.png')
    assert two.original_size == (H, W)
    assert single.object_ids == [1]
    sequences_2016 = DAVIS(davis_root, version=2016, split='val', test_mode=True).sequences()
    assert [(s.name, s.object_ids, s.first_frame) for s in sequences_2016] == [
        ('single', [1], {1: 0})]
    assert sequences_2016[0].single_object and sequences_2016[0].label_threshold == 0
    name = sequences_2016[0].frame_names[0]
    labels = load_index_png(sequences_2016[0].annotation_paths[name])
    np.testing.assert_array_equal(sequences_2016[0].read_annotation(name), labels > 0)
    assert not two.single_object
    np.testing.assert_array_equal(two.read_annotation('00003'),
                                  load_index_png(two.annotation_paths['00003']))


def test_randomize_guide_builds_lists_per_object(davis_root):
    """Quirk 12 regression: object 2 pairs its own non-blank frames (1 -> 3), not the frames
    in which objects 1 and 2 are both visible."""
    dataset = DAVIS(davis_root, version=2017, split='train', randomize_guide=True, seed=3)
    obj1 = _pairs(dataset, 'two-objects', 1)
    obj2 = _pairs(dataset, 'two-objects', 2)
    assert [(prev, cur) for prev, cur, _ in obj1] == [
        ('00000', '00001'), ('00001', '00002'), ('00002', '00004'), ('00004', '00005')]
    assert [(prev, cur) for prev, cur, _ in obj2] == [
        ('00000', '00001'), ('00001', '00003'), ('00003', '00004'), ('00004', '00005')]
    # Guides come from the object's valid frames: object 2 in frame 4 is 2 pixels (invalid).
    assert {guide for _, _, guide in obj1} <= {'00000', '00001', '00002', '00004', '00005'}
    assert {guide for _, _, guide in obj2} <= {'00000', '00001', '00003', '00005'}


def test_randomize_guide_is_a_function_of_the_seed(davis_root):
    def guides(seed):
        dataset = DAVIS(davis_root, split='train', randomize_guide=True, seed=seed)
        return [s['guide_label_path'] for s in dataset.samples]

    assert guides(5) == guides(5)
    assert len({tuple(guides(seed)) for seed in range(6)}) > 1


def test_invalid_guides_fall_back_to_first_non_blank_frame(davis_root):
    dataset = DAVIS(davis_root, split='train', randomize_guide=True, label_valid_ratio=0.9)
    assert {s['guide_label_path'][-9:-4] for s in dataset.samples} == {'00000'}


def test_full_resolution_falls_back_to_480p_annotations(davis_root):
    for index in range(3):
        write_frame(os.path.join(davis_root, 'JPEGImages', 'Full-Resolution', 'single',
                                 f'{index:05d}.jpg'), size=(2 * H, 2 * W))
    (sequence,) = DAVIS(davis_root, split='val', resolution='Full-Resolution',
                        test_mode=True).sequences()
    assert sequence.frame_paths[0] == os.path.join(davis_root, 'JPEGImages', 'Full-Resolution',
                                                   'single', '00000.jpg')
    assert sequence.annotation_paths['00000'] == os.path.join(davis_root, 'Annotations', '480p',
                                                              'single', '00000.png')
    assert sequence.original_size == (H, W)


def test_test_split_may_annotate_the_first_frame_only(davis_root):
    write_davis_sequence(davis_root, 'challenge', [label_with(SINGLE[0])] * 4)
    for index in range(1, 4):
        os.remove(os.path.join(davis_root, 'Annotations', '480p', 'challenge',
                               f'{index:05d}.png'))
    write_split(davis_root, 2017, 'test-dev', ['challenge'])
    (sequence,) = DAVIS(davis_root, split='test-dev', test_mode=True).sequences()
    assert len(sequence.frame_paths) == 4
    assert list(sequence.annotation_paths) == ['00000']


def test_multi_object_ids_come_from_frame0(davis_root):
    labels = [label_with({3: (0, 5, 0, 5), 7: (10, 20, 10, 20)}), label_with({9: (0, 5, 0, 5)})]
    write_davis_sequence(davis_root, 'sparse-ids', labels)
    write_split(davis_root, 2017, 'val', ['sparse-ids'])
    (sequence,) = DAVIS(davis_root, split='val', test_mode=True).sequences()
    assert sequence.object_ids == [3, 7]


def test_build_dataset_from_config(davis_root):
    dataset = build_dataset(dict(type='DAVIS', data_root=davis_root, version=2016, split='val',
                                 pipeline=[]))
    assert isinstance(dataset, DAVIS) and len(dataset) == 2


def test_2016_accepts_binary_grey_annotations(davis_root):
    for index in range(3):
        path = os.path.join(davis_root, 'Annotations', '480p', 'single', f'{index:05d}.png')
        Image.fromarray(label_with({255: SINGLE[0][1]})).save(path)
    dataset = DAVIS(davis_root, version=2016, split='val')
    assert len(dataset) == 2 and dataset.samples[0]['obj_id'] is None


def test_previous_mask_comes_from_up_to_max_prev_gap_frames_back(davis_root):
    dataset = DAVIS(davis_root, version=2017, split='train', pipeline=[], max_prev_gap=3)
    pairs = _pairs(dataset, 'two-objects', 2)
    gaps = [int(cur) - int(prev) for prev, cur, _ in pairs]
    assert [cur for _, cur, _ in pairs] == ['00001', '00002', '00003', '00004', '00005']
    assert all(1 <= gap <= min(3, int(cur)) for gap, (_, cur, _) in zip(gaps, pairs))
    again = DAVIS(davis_root, version=2017, split='train', pipeline=[], max_prev_gap=3)
    assert _pairs(again, 'two-objects', 2) == pairs  # a pure function of the seed
    all_gaps = [int(s['frame']) - int(os.path.basename(s['prev_label_path'])[:5])
                for s in dataset.samples]
    assert max(all_gaps) > 1


def test_max_prev_gap_must_be_positive(davis_root):
    import pytest
    from osmnseg.utils.errors import ConfigError
    with pytest.raises(ConfigError, match='max_prev_gap'):
        DAVIS(davis_root, version=2017, split='train', pipeline=[], max_prev_gap=0)
