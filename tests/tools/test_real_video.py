"""Real DAVIS 2016 frames (``../shared/data``) through every inference path, with the real-video
recipe ``configs/osmn_mobilenet_v1_davis2016.py`` at reduced width and random weights: the
paths, sizes and formats are checked here, the accuracy by ``tools/test.py`` (docs/training.md).
"""
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.datasets.palette import load_index_png, save_palette_png
from osmnseg.models import build_segmentor
from osmnseg.models.checkpoint import save_checkpoint

from tool_loader import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEV = os.path.join(ROOT, '..', 'shared', 'data', 'davis2016_dev')
RECIPE = os.path.join(ROOT, 'configs', 'osmn_mobilenet_v1_davis2016.py')
SEQUENCES = ('blackswan', 'dog')
FRAMES = 4
DAVIS_SIZE = (480, 854)

pytestmark = pytest.mark.skipif(not os.path.isdir(DEV),
                                reason='../shared/data/davis2016_dev (real DAVIS 2016) is absent')
test_tool = load_tool('test')
infer_video = load_tool('infer_video')


def small_recipe_options(data_root):
    """--cfg-options: quarter-width bodies, a small test size, the data root given."""
    return ['model.backbone.width=0.25', 'model.visual_modulator.width=0.25',
            'data.test.pipeline.5.size=(96,160)', f'data.test.data_root={data_root}',
            f'data.val.data_root={data_root}']


@pytest.fixture(scope='module')
def real_root(tmp_path_factory):
    """A DAVIS 2016 folder with the first frames of two real dev sequences (grey 0/255 masks)."""
    root = tmp_path_factory.mktemp('davis2016_real')
    for kind, ext in (('JPEGImages', '.jpg'), ('Annotations', '.png')):
        for sequence in SEQUENCES:
            target = root / kind / '480p' / sequence
            target.mkdir(parents=True)
            for index in range(FRAMES):
                shutil.copy(os.path.join(DEV, kind, '480p', sequence, f'{index:05d}{ext}'),
                            target)
    (root / 'ImageSets' / '2016').mkdir(parents=True)
    (root / 'ImageSets' / '2016' / 'val.txt').write_text('\n'.join(SEQUENCES) + '\n')
    return str(root)


@pytest.fixture(scope='module')
def recipe_run(real_root, tmp_path_factory):
    """``(config, work dir with a random-weight checkpoint, --cfg-options)`` of the recipe."""
    options = small_recipe_options(real_root)
    cfg = Config.fromfile(RECIPE)
    cfg.merge_from_dict({'model.backbone.width': 0.25, 'model.visual_modulator.width': 0.25})
    work_dir = str(tmp_path_factory.mktemp('recipe_work_dir'))
    save_checkpoint(work_dir, 1, build_segmentor(cfg.model))
    return RECIPE, work_dir, options


def test_annotations_are_grey_0_255(real_root):
    with Image.open(os.path.join(real_root, 'Annotations', '480p', 'dog', '00000.png')) as im:
        assert im.mode == 'L'
        assert set(np.unique(np.asarray(im))) == {0, 255}


def test_test_tool_scores_real_sequences(recipe_run, tmp_path, capsys):
    config, work_dir, options = recipe_run
    out = tmp_path / 'out'
    results = test_tool.main([config, work_dir, '--eval', 'J', 'F', '--out', str(out),
                              '--work-dir', str(tmp_path / 'record'), '--no-progress',
                              '--cfg-options', *options])
    assert 'J&F-Mean' in capsys.readouterr().out
    assert sorted(results.timing) == sorted(SEQUENCES)
    for sequence in SEQUENCES:
        names = sorted(os.listdir(out / sequence))
        assert len(names) == FRAMES
        mask = load_index_png(str(out / sequence / names[0]))
        assert mask.shape == DAVIS_SIZE  # processed at 96x160, returned at 854x480
        truth = load_index_png(os.path.join(DEV, 'Annotations', '480p', sequence, '00000.png'))
        np.testing.assert_array_equal(mask > 0, truth > 0)  # frame 0 is the given mask
