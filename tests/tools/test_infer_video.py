"""``tools/infer_video.py`` on a generated clip: masks, overlays, GIF, reduced resolution."""
import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.datasets.palette import load_index_png, save_palette_png

from tool_loader import load_tool

infer_video = load_tool('infer_video')
SIZE = (60, 100)  # (H, W) of the clip; segmented at 38x64 with --max-size 64


@pytest.fixture
def clip(tmp_path):
    """Five frames of a red square moving right on a grey background, and frame 0's mask."""
    folder = tmp_path / 'clip'
    folder.mkdir()
    for index in range(5):
        frame = np.full(SIZE + (3,), 90, np.uint8)
        frame[20:40, 10 + 5 * index:30 + 5 * index] = (220, 30, 30)
        Image.fromarray(frame).save(folder / f'frame_{index:03d}.jpg', quality=95)
    mask = np.zeros(SIZE, np.uint8)
    mask[20:40, 10:30] = 1
    save_palette_png(str(tmp_path / 'mask.png'), mask)
    return str(folder), str(tmp_path / 'mask.png'), mask


def test_clip_gives_masks_overlays_and_gif(tiny_run, clip, tmp_path, capsys):
    config, work_dir, options = tiny_run
    frames, mask_path, mask = clip
    out = tmp_path / 'out'
    count = infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path,
                              '--out', str(out), '--max-size', '64', '--dtype', 'float32',
                              '--cfg-options', *options])
    assert count == 5 and 'frames/s' in capsys.readouterr().out
    names = [f'frame_{i:03d}.png' for i in range(5)]
    assert sorted(os.listdir(out / 'masks')) == names == sorted(os.listdir(out / 'overlays'))
    first = load_index_png(str(out / 'masks' / names[0]))
    np.testing.assert_array_equal(first, mask)  # frame 1 = the given mask, full size
    assert all(load_index_png(str(out / 'masks' / n)).shape == SIZE for n in names)
    with Image.open(out / 'overlay.gif') as gif:
        assert gif.n_frames == 5
    with pytest.raises(SystemExit, match='--overwrite'):
        infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path,
                          '--out', str(out), '--cfg-options', *options])


def test_large_frames_are_segmented_at_max_size_with_their_aspect(tiny_run, clip):
    config, work_dir, options = tiny_run
    args = infer_video.parse_args([config, work_dir, '--frames', clip[0], '--mask', clip[1],
                                   '--out', 'unused', '--cfg-options', *options])
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(args.cfg_options)
    settings = infer_video.build_segmenter(cfg, args).settings
    # default max size: 64, the longer side of test_cfg.size (32, 64)
    assert settings.working_size(SIZE) == (38, 64)
    assert settings.working_size((30, 50)) == (30, 50)  # small frames keep their size
    args.max_size = 50
    assert infer_video.build_segmenter(cfg, args).settings.working_size(SIZE) == (30, 50)


@pytest.mark.skipif(importlib.util.find_spec('imageio') is not None,
                    reason='the video extra is installed')
def test_video_input_without_the_extra_names_the_install_command(tiny_run, clip, tmp_path):
    config, work_dir, options = tiny_run
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'not read')
    with pytest.raises(SystemExit, match=r'pip install -e "\.\[video\]"'):
        infer_video.main([config, work_dir, '--video', str(video), '--mask', clip[1],
                          '--out', str(tmp_path / 'out'), '--cfg-options', *options])
