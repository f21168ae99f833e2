"""Write PNG sheets of what the network is fed: frame | visual guide | spatial guide | label.

    python tools/misc/browse_dataset.py configs/_base_/datasets/toyvos.py --out work_dirs/browse \
        [--num 8] [--split train|val|test] [--seed 0] [--cfg-options data.train.version=2016]

Samples are spread evenly over the split and run through the split's own pipeline with the
generator of the training loader's sample 0 of batch ``i`` (so random augmentation is shown),
at the training base size. Video val/test splits are indexed as consecutive-frame pairs (their
data sets index only sequences in test mode) and processed by the test pipeline.
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

from osmnseg.config import Config, DictAction
from osmnseg.datasets import build_dataset
from osmnseg.datasets.pipelines import denormalize_image, resize_image
from osmnseg.utils.errors import ConfigError, OsmnsegError

GAP = 4  # white pixels between the panels


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write PNG sheets of pipeline outputs.')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--out', required=True, help='output folder for the PNG sheets')
    parser.add_argument('--num', type=int, default=8, help='number of samples (default 8)')
    parser.add_argument('--split', default='train', choices=('train', 'val', 'test'),
                        help='data split of the config (default train)')
    parser.add_argument('--seed', type=int, default=0, help='augmentation seed (default 0)')
    parser.add_argument('--cfg-options', action=DictAction, default={},
                        help='override config keys, e.g. data.train.version=2016')
    return parser.parse_args(argv)


def _working_size(cfg):
    """The training base size, else the config's ``test_size`` (test pipelines fix it)."""
    loader_cfg = cfg.data.get('train_loader') or {}
    size = loader_cfg.get('base_size') or cfg.get('test_size')
    if size is None:
        raise ConfigError(f'{cfg.filename} defines neither data.train_loader.base_size nor '
                          'test_size; add one to set the working size.')
    return tuple(size)


def make_sheet(sample, normalize_args):
    """One ``[H, W', 3] uint8`` RGB image: frame | guide (scaled to H x H) | spatial guide |
    label, from a packed sample (``image``, ``guide``, ``spatial_guide``, ``label``)."""
    frame = denormalize_image(sample['image'], **normalize_args)
    height = frame.shape[0]
    guide = resize_image(denormalize_image(sample['guide'], **normalize_args), (height, height))
    spatial = sample['spatial_guide'][..., 0]
    spatial = np.uint8(np.clip(spatial / max(float(spatial.max()), 1.0), 0, 1) * 255)
    label = np.uint8(sample['label'][..., 0] > 0.5) * 255
    panels = [frame, guide, np.repeat(spatial[..., None], 3, 2), np.repeat(label[..., None], 3, 2)]
    gap = np.full((height, GAP, 3), 255, np.uint8)
    return np.concatenate([part for panel in panels for part in (panel, gap)][:-1], axis=1)


def main(argv=None):
    args = parse_args(argv)
    try:
        cfg = Config.fromfile(args.config)
        cfg.merge_from_dict(args.cfg_options)
        split_cfg = dict(cfg.data[args.split])
        split_cfg['test_mode'] = False  # index pairs even for evaluation splits
        dataset = build_dataset(split_cfg, key=f'data.{args.split}')
        normalize_args = dataset.pipeline.normalization or {}  # for de-normalising
        out_size = _working_size(cfg)
        os.makedirs(args.out, exist_ok=True)
        indices = np.unique(np.linspace(0, len(dataset) - 1, max(args.num, 1)).astype(int))
        for order, index in enumerate(indices):
            rng = np.random.default_rng([args.seed, 2, order, 0])  # the loader's sample stream
            sample = dataset.prepare(int(index), rng, out_size)
            info = dataset.samples[index]
            name = f"{order:04d}_{info.get('sequence', '')}_{info.get('frame', index)}"
            path = os.path.join(args.out, name.replace('/', '_') + '.png')
            Image.fromarray(make_sheet(sample, normalize_args)).save(path)
            print(path)
    except OsmnsegError as err:
        sys.exit(f'browse_dataset: {err}')


if __name__ == '__main__':
    main()
