"""osmnseg.datasets: data set readers (DATASETS registry), transforms and the training loader.

Data sets are built from config dicts with ``build_dataset``; see docs/datasets.md for the
on-disk layouts and docs/architecture.md for the sample and sequence contracts.

The training loader (``build_train_loader``, ``TrainLoader``) needs TensorFlow; it is imported
on first access, so that ``import osmnseg.datasets`` stays light (PEP 562).
"""
import importlib

from osmnseg.datasets.base import BaseVOSDataset, VideoDataset
from osmnseg.datasets.coco import CocoVOS
from osmnseg.datasets.davis import DAVIS
from osmnseg.datasets.sequence import VideoSequence
from osmnseg.datasets.toyvos_dataset import ToyVOS, ToyVOSCoco
from osmnseg.datasets.youtube_objects import YouTubeObjects
from osmnseg.datasets.youtube_vos import YouTubeVOS
from osmnseg.registry import DATASETS


def build_dataset(cfg, default_args=None, key='data'):
    """Build a data set from a config dict (``dict(type='DAVIS', data_root=..., ...)``).

    Args:
        cfg: config dict with a ``type`` registered in DATASETS.
        default_args: keyword arguments used where ``cfg`` does not give them.
        key: dotted config path of ``cfg`` for error messages (e.g. ``'data.train'``).
    """
    return DATASETS.build(cfg, default_args=default_args, key=key)


LAZY_EXPORTS = {'build_train_loader': 'osmnseg.datasets.loader',
                'TrainLoader': 'osmnseg.datasets.loader'}


def __getattr__(name):
    """Import the TensorFlow-based loader only when one of its names is asked for."""
    if name in LAZY_EXPORTS:
        return getattr(importlib.import_module(LAZY_EXPORTS[name]), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = ['BaseVOSDataset', 'VideoDataset', 'VideoSequence', 'CocoVOS', 'DAVIS', 'YouTubeVOS',
           'YouTubeObjects', 'ToyVOS', 'ToyVOSCoco', 'build_dataset', 'build_train_loader',
           'TrainLoader']
