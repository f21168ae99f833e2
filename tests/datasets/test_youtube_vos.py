"""YouTube-VOS reader: non-contiguous ids and an object that appears after frame 0."""
import os

from vos_layouts import YTVOS_OBJECTS, H, W

from osmnseg.datasets import YouTubeVOS


def _pairs(dataset, obj_id):
    return [(s['prev_label_path'][-9:-4], s['frame'], s['guide_label_path'][-9:-4])
            for s in dataset.samples if s['obj_id'] == obj_id]


def test_train_pairs_follow_each_objects_frames_list(ytvos_root):
    dataset = YouTubeVOS(ytvos_root, split='train', pipeline=[])
    assert len(dataset) == 4
    assert _pairs(dataset, 2) == [('00000', '00005', '00000'), ('00005', '00010', '00000')]
    # Object 5 first appears in 00005: it guides its own pairs.
    assert _pairs(dataset, 5) == [('00005', '00010', '00005'), ('00010', '00015', '00005')]
    sample = dataset.samples[-1]
    assert sample['image_path'] == os.path.join(ytvos_root, 'train', 'JPEGImages', 'vid_a',
                                                '00015.jpg')
    assert sample['sequence'] == 'vid_a' and sample['flip_image'] is False


def test_randomize_guide_draws_from_the_objects_valid_frames(ytvos_root):
    dataset = YouTubeVOS(ytvos_root, split='train', randomize_guide=True, seed=1)
    for obj_id, frames in YTVOS_OBJECTS.items():
        pairs = _pairs(dataset, int(obj_id))
        assert [cur for _, cur, _ in pairs] == frames[1:]
        assert {guide for _, _, guide in pairs} <= set(frames)
    again = YouTubeVOS(ytvos_root, split='train', randomize_guide=True, seed=1)
    assert again.samples == dataset.samples


def test_valid_sequences_start_each_object_at_its_first_frame(ytvos_root):
    dataset = YouTubeVOS(ytvos_root, split='valid', test_mode=True)
    assert dataset.samples == []
    (sequence,) = dataset.sequences()
    assert sequence.name == 'vid_a'
    assert len(sequence.frame_paths) == 16  # every JPEG, not only the listed frames
    assert sequence.object_ids == [2, 5]
    assert sequence.first_frame == {2: 0, 5: 5}
    assert sequence.eval_frames == ['00000', '00005', '00010', '00015']
    assert sorted(sequence.annotation_paths) == ['00000', '00005']
    assert sequence.original_size == (H, W)
