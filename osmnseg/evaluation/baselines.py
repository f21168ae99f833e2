"""Baselines a data set can be scored with before any model is trained."""
import os

import numpy as np

from osmnseg.evaluation.metrics import db_eval_boundary, db_eval_iou
from osmnseg.io.folders import list_files, read_split_list
from osmnseg.io.masks import object_ids_in
from osmnseg.io.palette import load_index_png


def copy_first_frame_baseline_jf(root, split='val', resolution='480p'):
    """Score the trivial tracker that repeats each object's frame-0 mask in every frame.

    DAVIS 2017 protocol: J and F per object per frame, first and last frame excluded, mean over
    frames per object, then over all objects of the split's ``ImageSets/2017`` list.

    Args:
        root: a folder in the DAVIS layout (e.g. a ToyVOS set).
        split: ``'train'`` or ``'val'``.
        resolution: the annotation folder, ``Annotations/<resolution>``.

    Returns:
        ``{'J': float, 'F': float, 'J&F': float}``.

    Raises:
        DataError: the split list or an annotation folder is missing, or a PNG is unreadable.
    """
    names = read_split_list(os.path.join(root, 'ImageSets', '2017', f'{split}.txt'))
    j_means, f_means = [], []
    for name in names:
        folder = os.path.join(root, 'Annotations', resolution, name)
        labels = np.stack([load_index_png(os.path.join(folder, file))
                           for file in list_files(folder, ('.png',), 'annotation')])
        for object_id in object_ids_in(labels[0]):
            truth = labels[1:-1] == object_id
            copied = np.broadcast_to(labels[0] == object_id, truth.shape)
            j_means.append(np.mean(db_eval_iou(truth, copied)))
            f_means.append(np.mean(db_eval_boundary(truth, copied)))
    j_mean, f_mean = float(np.mean(j_means)), float(np.mean(f_means))
    return {'J': j_mean, 'F': f_mean, 'J&F': (j_mean + f_mean) / 2}
