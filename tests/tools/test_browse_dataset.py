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
