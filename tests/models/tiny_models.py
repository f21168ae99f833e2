"""Tiny variants of the shipped model configs, shared by the model tests (and usable by others)."""
import copy
import os
import runpy

import tensorflow as tf

from osmnseg.models import build_segmentor

CONFIG_DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', '_base_', 'models')
VARIANTS = {
    'osvos': 'osmn_vgg16.py',
    'deeplab': 'osmn_vgg16_deeplab.py',
    'masktrack': 'osmn_vgg16_masktrack.py',
    'lite': 'osmn_mobilenet_v1.py',
}
# the four OSMN networks above, and OSMN-lite with the matching modulator
CONFIG_FILES = {**VARIANTS, 'match': 'osmn_mobilenet_v1.py'}
# Reduced widths: every code path of the full networks, a few thousand times cheaper.
TINY = {
    'osvos': dict(backbone=dict(width=0.125), visual_modulator=dict(width=0.125)),
    'deeplab': dict(backbone=dict(width=0.125), visual_modulator=dict(width=0.125),
                    head=dict(channels=16)),
    'masktrack': dict(backbone=dict(width=0.125), visual_modulator=dict(width=0.125),
                      head=dict(channels=16)),
    'lite': dict(backbone=dict(width=0.25),
                 visual_modulator=dict(width=0.25)),
    # the matching recipe's network (configs/osmn_match_mobilenet_v1_davis2016.py), small
    'match': dict(backbone=dict(width=0.25, modulated_layers=(5, 11, 13)),
                  head=dict(in_features=('Conv2d_1_pointwise', 'Conv2d_3_pointwise',
                                         'Conv2d_5_pointwise', 'Conv2d_11_pointwise',
                                         'Conv2d_13_pointwise', 'matching'))),
}
# entries of TINY that replace the shipped config's value instead of updating it
REPLACED = {
    'match': dict(visual_modulator=None, spatial_modulator=None,
                  matching_modulator=dict(type='MatchingModulator', embed_channels=16,
                                          hidden_channels=16, local_radius=2)),
}


def load_model_config(variant):
    """The ``model`` dict of a shipped config file (plain Python dict files)."""
    return copy.deepcopy(runpy.run_path(os.path.join(CONFIG_DIR, CONFIG_FILES[variant]))['model'])


def tiny_config(variant, **overrides):
    """A reduced-width config of ``variant``; dict overrides merge, other values replace."""
    cfg = load_model_config(variant)
    for key, value in {**TINY[variant]}.items():
        cfg[key].update(value)
    cfg.update(REPLACED.get(variant, {}))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key].update(value)
        else:
            cfg[key] = value
    return cfg


def tiny_model(variant, seed=0, **overrides):
    tf.random.set_seed(seed)
    return build_segmentor(tiny_config(variant, **overrides))


def make_matching_batch(batch_size=2, height=64, width=64, seed=0):
    """A random training batch of a matching model (frame, annotated frame, previous frame)."""
    gen = tf.random.Generator.from_seed(seed)

    def mask():
        return tf.cast(gen.uniform([batch_size, height, width, 1]) > 0.6, tf.float32)

    return dict(image=gen.normal([batch_size, height, width, 3]), label=mask(),
                guide_image=gen.normal([batch_size, height, width, 3]), guide_mask=mask(),
                prev_image=gen.normal([batch_size, height, width, 3]), prev_mask=mask())


def make_batch(batch_size=2, height=64, width=64, seed=0, masktrack=False):
    """A random training batch dict (docs/architecture.md layout)."""
    gen = tf.random.Generator.from_seed(seed)
    spatial = gen.uniform([batch_size, height, width, 1])
    if masktrack:
        spatial = tf.cast(spatial > 0.5, tf.float32) * 255.0
    return dict(image=gen.normal([batch_size, height, width, 3]) * 50.0,
                guide=gen.normal([batch_size, 224, 224, 3]) * 50.0,
                spatial_guide=spatial,
                label=tf.cast(gen.uniform([batch_size, height, width, 1]) > 0.7, tf.float32))
