"""tools/misc/make_pasted_clips.py: two-object clips written as a DAVIS 2017 folder that the
DAVIS data set reads; an existing folder is refused."""
import os
import sys

import numpy as np
import pytest
from PIL import Image

from osmnseg.datasets import build_dataset
from osmnseg.io.palette import load_index_png, save_palette_png

from tool_loader import load_tool

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'datasets'))
from test_pasted_clips import clip  # noqa: E402

make_pasted_clips = load_tool('misc/make_pasted_clips')


def test_the_tool_writes_a_davis_2017_folder_the_data_set_reads(tmp_path):
    source = tmp_path / 'davis2016'
    for name, color in (('a', (200, 0, 0)), ('b', (0, 200, 0))):
        for kind in ('JPEGImages', 'Annotations'):
            (source / kind / '480p' / name).mkdir(parents=True)
        for index, (frame, mask) in enumerate(clip(3, (48, 64), (10, 10, 30, 30), color)):
            Image.fromarray(frame).save(source / 'JPEGImages' / '480p' / name / f'{index:05d}.jpg')
            save_palette_png(str(source / 'Annotations' / '480p' / name / f'{index:05d}.png'),
                             mask)
    (source / 'ImageSets' / '2016').mkdir(parents=True)
    (source / 'ImageSets' / '2016' / 'val.txt').write_text('a\nb\n')
    out = tmp_path / 'pasted'
    make_pasted_clips.main([str(source), str(out)])
    dataset = build_dataset(dict(type='DAVIS', data_root=str(out), version=2017, split='val',
                                 test_mode=True))
    sequences = dataset.sequences()
    assert [s.name for s in sequences] == ['a+b', 'b+a']
    assert all(list(s.object_ids) == [1, 2] and len(s) == 3 for s in sequences)
    first = load_index_png(str(out / 'Annotations' / '480p' / 'a+b' / '00000.png'))
    assert set(np.unique(first)) == {0, 1, 2}
    with pytest.raises(SystemExit, match='not an empty folder'):
        make_pasted_clips.main([str(source), str(out)])
    assert sorted(os.listdir(out)) == ['Annotations', 'ImageSets', 'JPEGImages']
