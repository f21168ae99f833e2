"""tools/misc/browse_dataset.py writes frame | guide | spatial guide | label sheets."""
import os

import numpy as np
from PIL import Image
from tool_loader import load_tool

CONFIG = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets',
                      'davis2017.py')


def test_browse_writes_one_sheet_per_sample(tiny_toyvos, tmp_path):
    browse = load_tool('misc/browse_dataset')
    out = tmp_path / 'sheets'
    browse.main([CONFIG, '--out', str(out), '--num', '2', '--cfg-options',
                 f'data.train.data_root={tiny_toyvos}', 'data.train_loader.base_size=[32,48]'])
    sheets = sorted(out.iterdir())
    assert len(sheets) == 2
    sheet = np.asarray(Image.open(sheets[0]))
    gap = browse.GAP
    assert sheet.shape == (32, 48 + gap + 32 + gap + 48 + gap + 48, 3)
    label = sheet[:, -48:]
    assert set(np.unique(label)) == {0, 255}  # a binary mask with the object visible
    assert (sheet[:, 48:48 + gap] == 255).all()


def test_frames_are_denormalised_with_the_pipeline_s_own_normalisation(tiny_toyvos, tmp_path):
    from osmnseg.config import Config
    from osmnseg.datasets import build_dataset
    from osmnseg.datasets.pipelines import resize_image
    from osmnseg.io.images import read_image

    browse = load_tool('misc/browse_dataset')
    options = [f'data.train.data_root={tiny_toyvos}', 'data.train_loader.base_size=[32,48]',
               'data.train.pipeline.8.mode=rgb_unit']  # not the default convention
    browse.main([CONFIG, '--out', str(tmp_path), '--num', '1', '--cfg-options', *options])
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(dict(option.split('=', 1) for option in options[:1]))
    assert cfg.data.train.pipeline[8]['type'] == 'Normalize'
    first = build_dataset(cfg.data.train).samples[0]
    expected = resize_image(read_image(first['image_path']), (32, 48))  # DAVIS frames never flip
    (sheet,) = tmp_path.iterdir()
    frame = np.asarray(Image.open(sheet))[:, :48].astype(int)
    assert np.abs(frame - expected).max() <= 1
