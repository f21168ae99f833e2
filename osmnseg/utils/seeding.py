"""Seeding and deterministic mode for reproducible runs."""
import os
import random

import numpy as np
import tensorflow as tf


def set_random_seed(seed, deterministic=False):
    """Seed Python, NumPy and TensorFlow; with ``deterministic`` also make TF ops deterministic.

    The data pipeline does not use these global generators: it derives its own from the seed and
    the iteration (see ``osmnseg.datasets.loader``), so data order survives a resume.
    """
    random.seed(seed)
    np.random.seed(seed % 2 ** 32)
    tf.random.set_seed(seed)
    if deterministic:
        os.environ['TF_DETERMINISTIC_OPS'] = '1'
        tf.config.experimental.enable_op_determinism()
