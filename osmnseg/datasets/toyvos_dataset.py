"""ToyVOS data sets: the official DAVIS and COCO readers over the generated synthetic set.

Both generate the set first when ``data_root`` does not hold it with the requested parameters
(``osmnseg.datasets.toyvos.ensure_toyvos``; cheap when it is current).
"""
import os

from osmnseg.datasets.coco import CocoVOS
from osmnseg.datasets.davis import DAVIS
from osmnseg.datasets.toyvos import IMAGE_ROOT, ToyVOSParams, ensure_toyvos
from osmnseg.registry import DATASETS


def _ensure(data_root, generate):
    """Generate the set into ``data_root`` if needed; returns the absolute data root."""
    return ensure_toyvos(os.path.expanduser(str(data_root)),
                         ToyVOSParams.from_dict(dict(generate or {})))


@DATASETS.register_module()
class ToyVOS(DAVIS):
    """The DAVIS reader over ToyVOS (480p layout, ImageSets for 2016 and 2017).

    Args:
        data_root: folder of the set (generated there when missing or outdated).
        generate: ``ToyVOSParams`` fields as a dict (seed, num_train, height, ...); default
            parameters when None.
        Other arguments: as ``DAVIS``.
    """

    def __init__(self, data_root='data/toyvos', generate=None, version=2017, split='train',
                 pipeline=(), randomize_guide=False, label_valid_ratio=0.003,
                 bbox_valid_ratio=0.2, seed=0, test_mode=False):
        super().__init__(_ensure(data_root, generate), version=version, split=split,
                         resolution='480p', pipeline=pipeline, randomize_guide=randomize_guide,
                         label_valid_ratio=label_valid_ratio, bbox_valid_ratio=bbox_valid_ratio,
                         seed=seed, test_mode=test_mode)


@DATASETS.register_module()
class ToyVOSCoco(CocoVOS):
    """The COCO reader over ToyVOS's ``annotations/instances_{split}.json``.

    Args:
        data_root: folder of the set (generated there when missing or outdated).
        generate: ``ToyVOSParams`` fields as a dict; default parameters when None.
        Other arguments: as ``CocoVOS``.
    """

    def __init__(self, data_root='data/toyvos', generate=None, split='train', pipeline=(),
                 min_area_ratio=0.03, cache_dir=None, test_mode=False):
        super().__init__(_ensure(data_root, generate), split=split, pipeline=pipeline,
                         ann_file=os.path.join('annotations', f'instances_{split}.json'),
                         img_prefix=IMAGE_ROOT, min_area_ratio=min_area_ratio,
                         cache_dir=cache_dir, test_mode=test_mode)
