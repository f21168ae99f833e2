"""YouTube-Objects reader: labels named like their .jpg frames (quirk 18), short sequences."""
import logging
import os

import numpy as np
from vos_layouts import H, W

from osmnseg.datasets import YouTubeObjects
from osmnseg.io.palette import load_index_png


def test_sequences_use_labelled_frames_and_prefer_png(youtube_objects_root, caplog):
    logger = logging.getLogger('osmnseg.datasets.youtube_objects')
    logger.addHandler(caplog.handler)  # the 'osmnseg' logger may not propagate to the root
    try:
        dataset = YouTubeObjects(youtube_objects_root)
    finally:
        logger.removeHandler(caplog.handler)
    assert 'dog_0002' in caplog.text  # one label only: skipped and logged
    (sequence,) = dataset.sequences()
    labels = os.path.join(youtube_objects_root, 'Labels', 'cat_0001')
    assert sequence.name == 'cat_0001'
    assert len(sequence.frame_paths) == 5
    assert sequence.annotation_paths == {'00001': os.path.join(labels, '00001.jpg'),
                                         '00003': os.path.join(labels, '00003.png'),
                                         '00005': os.path.join(labels, '00005.png')}
    assert sequence.eval_frames == ['00001', '00003', '00005']
    assert sequence.object_ids == [1] and sequence.first_frame == {1: 0}
    assert sequence.original_size == (H, W)
    jpeg_label = load_index_png(sequence.annotation_paths['00001'])
    assert jpeg_label.shape == (H, W) and np.count_nonzero(jpeg_label > 127) == 16 * 24
    np.testing.assert_array_equal(sequence.read_annotation('00001'), jpeg_label > 127)


def test_training_pairs_of_labelled_frames(youtube_objects_root):
    dataset = YouTubeObjects(youtube_objects_root, pipeline=[], test_mode=False)
    assert [(s['prev_label_path'][-9:], s['label_path'][-9:], s['guide_label_path'][-9:])
            for s in dataset.samples] == [('00001.jpg', '00003.png', '00001.jpg'),
                                          ('00003.png', '00005.png', '00001.jpg')]
    assert all(s['obj_id'] is None for s in dataset.samples)
