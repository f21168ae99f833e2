"""Inputs shared by the apis tests: the tiny config, synthetic frames and box masks."""
import os

import numpy as np


TINY_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs',
                           'tiny_toyvos.py')
WORK_SIZE = (32, 64)  # test_cfg.size of the tiny config


def randomize(model, seed=0):
    """He-normal kernels and noisy biases, so that predictions depend on frame and guides
    (the initial fuse layer and modulator outputs are constant). Fixed bilinear kernels and
    batch-norm entries are kept."""
    rng = np.random.default_rng(seed)
    for name, variable in model.reference_variables().items():
        if 'BatchNorm' in name or name.endswith('-up/weights'):
            continue
        if len(variable.shape) == 4:
            std = np.sqrt(2.0 / np.prod(variable.shape[:3]))
            variable.assign(rng.normal(0, std, variable.shape).astype(np.float32))
        else:
            variable.assign(variable + rng.normal(0, 0.1, variable.shape).astype(np.float32))


def synthetic_frames(count=5, size=WORK_SIZE, seed=0):
    """``count`` random ``[H, W, 3] uint8`` frames."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, tuple(size) + (3,), dtype=np.uint8) for _ in range(count)]


def box_mask(size, box, value):
    """``[H, W] uint8`` with ``value`` inside ``box = (y0, x0, y1, x1)`` (exclusive max)."""
    mask = np.zeros(size, np.uint8)
    y0, x0, y1, x1 = box
    mask[y0:y1, x0:x1] = value
    return mask


def first_annotations(sequence):
    """``{frame index: annotation path}`` of every object's first frame."""
    names = sequence.frame_names
    return {i: sequence.annotation_paths[names[i]] for i in set(sequence.first_frame.values())}


def multi_object_sequence(dataset):
    return next(s for s in dataset.sequences() if len(s.object_ids) >= 2)
