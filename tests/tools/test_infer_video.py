"""``tools/infer_video.py`` on a generated clip: masks, overlays, GIF, reduced resolution."""
import os
import sys

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.io.palette import load_index_png, save_palette_png

from requirements import VIDEO_EXTRA, require
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


def test_clip_gives_full_size_masks_and_only_the_overlays_asked_for(tiny_run, clip, tmp_path,
                                                                     capsys):
    config, work_dir, options = tiny_run
    frames, mask_path, mask = clip
    out = tmp_path / 'out'
    count = infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path,
                              '--out', str(out), '--max-size', '64', '--dtype', 'float32',
                              '--cfg-options', *options])
    printed = capsys.readouterr().out
    assert count == 5 and 'frames/s' in printed and 'per frame: read' in printed
    names = [f'frame_{i:03d}.png' for i in range(5)]
    assert sorted(os.listdir(out)) == ['masks'] and sorted(os.listdir(out / 'masks')) == names
    first = load_index_png(str(out / 'masks' / names[0]))
    np.testing.assert_array_equal(first, mask)  # frame 1 = the given mask, full size
    assert all(load_index_png(str(out / 'masks' / n)).shape == SIZE for n in names)
    with pytest.raises(SystemExit, match='--overwrite'):
        infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path,
                          '--out', str(out), '--cfg-options', *options])
    out = tmp_path / 'with_overlays'
    infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path, '--out',
                      str(out), '--max-size', '64', '--overlay', 'png', '--overlay', 'gif',
                      '--fps', '5', '--cfg-options', *options])
    assert sorted(os.listdir(out / 'overlays')) == names
    with Image.open(out / 'overlay.gif') as gif:
        assert gif.n_frames == 5 and gif.info['duration'] == 200
    with Image.open(out / 'overlays' / names[0]) as overlay:
        assert overlay.size == (SIZE[1], SIZE[0])


def test_a_video_is_streamed_and_its_frame_rate_kept_for_the_mp4(tiny_run, clip, tmp_path):
    from osmnseg.io.video import read_video_frames, video_info, write_mp4

    require(VIDEO_EXTRA)
    config, work_dir, options = tiny_run
    frames, mask_path, mask = clip
    video = str(tmp_path / 'clip.mp4')
    write_mp4(video, [os.path.join(frames, f) for f in sorted(os.listdir(frames))], fps=12)
    out = tmp_path / 'out'
    count = infer_video.main([config, work_dir, '--video', video, '--mask', mask_path,
                              '--out', str(out), '--max-size', '64', '--overlay', 'mp4',
                              '--cfg-options', *options])
    assert count == 5
    assert sorted(os.listdir(out / 'masks')) == [f'{i:05d}.png' for i in range(5)]
    assert video_info(str(out / 'overlay.mp4')).fps == 12.0
    overlays = list(read_video_frames(str(out / 'overlay.mp4')))
    assert len(overlays) == 5 and overlays[0].shape == SIZE + (3,)
    late = str(tmp_path / 'late.png')
    save_palette_png(late, mask * 2)  # object 2, for a frame the video does not have
    with pytest.raises(SystemExit, match='is for frame 7 but the video has 5 frames'):
        infer_video.main([config, work_dir, '--video', video, '--mask', mask_path,
                          '--mask', f'7={late}', '--out', str(tmp_path / 'late'),
                          '--cfg-options', *options])


def test_a_video_without_overlays_is_decoded_at_the_working_size(tiny_run, clip, tmp_path,
                                                                 monkeypatch):
    import osmnseg.apis.clip as clip_module
    from osmnseg.io.video import write_mp4

    require(VIDEO_EXTRA)
    config, work_dir, options = tiny_run
    frames, mask_path, _ = clip
    video = str(tmp_path / 'clip.mp4')
    write_mp4(video, [os.path.join(frames, f) for f in sorted(os.listdir(frames))], fps=12)
    sizes, read = [], clip_module.read_video_frames

    def recorded(path, size=None):
        sizes.append(size)
        for frame in read(path, size):
            assert frame.shape[:2] == (size or SIZE)
            yield frame

    monkeypatch.setattr(clip_module, 'read_video_frames', recorded)
    masks = {}
    for name, overlay in (('scaled', []), ('full', ['--overlay', 'gif'])):
        infer_video.main([config, work_dir, '--video', video, '--mask', mask_path, '--out',
                          str(tmp_path / name), '--max-size', '64', *overlay,
                          '--cfg-options', *options])
        masks[name] = [load_index_png(str(tmp_path / name / 'masks' / f'{i:05d}.png'))
                       for i in range(5)]
    assert sizes == [(38, 64), None]  # the overlay needs the full-size frames
    for scaled, full in zip(masks['scaled'], masks['full']):
        assert scaled.shape == full.shape == SIZE  # masks at the video's size either way
        assert np.mean(scaled != full) < 0.05  # ffmpeg's area scaling vs TF's bilinear


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


def test_video_input_without_the_extra_names_the_install_command(tiny_run, clip, tmp_path,
                                                                monkeypatch):
    for module in ('imageio', 'imageio.v2', 'imageio_ffmpeg'):  # as if the extra were missing
        monkeypatch.setitem(sys.modules, module, None)
    config, work_dir, options = tiny_run
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'not read')
    with pytest.raises(SystemExit, match=r'pip install -e "\.\[video\]"'):
        infer_video.main([config, work_dir, '--video', str(video), '--mask', clip[1],
                          '--out', str(tmp_path / 'out'), '--cfg-options', *options])


def run_clip(tiny_run, frames, mask_path, out):
    config, work_dir, options = tiny_run
    return infer_video.main([config, work_dir, '--frames', frames, '--mask', mask_path,
                             '--out', str(out), '--max-size', '64', '--cfg-options', *options])


def test_a_mask_without_objects_is_refused(tiny_run, clip, tmp_path):
    frames, mask_path, _ = clip
    save_palette_png(mask_path, np.zeros(SIZE, np.uint8))
    with pytest.raises(SystemExit) as info:
        run_clip(tiny_run, frames, mask_path, tmp_path / 'out')
    assert info.value.code == (f'error: --mask {mask_path} holds no object (every pixel is 0); '
                               'paint the objects of the first frame with ids 1, 2, ... (or 255 '
                               'for one object).')
    assert not (tmp_path / 'out').exists()


def test_a_mask_of_another_size_is_resized_with_a_warning(tiny_run, clip, tmp_path, capsys):
    frames, mask_path, mask = clip
    save_palette_png(mask_path, mask[::2, ::2])  # 50x30
    assert run_clip(tiny_run, frames, mask_path, tmp_path / 'out') == 5
    assert (f'warning: --mask {mask_path} is 50x30 but the frames are 100x60; it is resized to '
            'the frames (nearest).') in capsys.readouterr().err
    first = load_index_png(str(tmp_path / 'out' / 'masks' / 'frame_000.png'))
    assert first.shape == SIZE and first[25, 15] == 1 and first[50, 90] == 0


def test_frames_of_different_sizes_are_refused(tiny_run, clip, tmp_path):
    frames, mask_path, _ = clip
    odd = os.path.join(frames, 'frame_003.jpg')
    Image.new('RGB', (SIZE[1] + 4, SIZE[0])).save(odd)
    with pytest.raises(SystemExit) as info:
        run_clip(tiny_run, frames, mask_path, tmp_path / 'out')
    assert info.value.code == (f'error: {odd} is 104x60 (WxH) but '
                               f'{os.path.join(frames, "frame_000.jpg")} is 100x60; all frames '
                               f'of --frames {frames} must have one size.')
    assert not (tmp_path / 'out').exists()


def test_hidden_files_in_the_frame_folder_are_skipped(tiny_run, clip, tmp_path):
    frames, mask_path, _ = clip
    with open(os.path.join(frames, '._frame_000.jpg'), 'wb') as f:  # macOS AppleDouble
        f.write(b'\x00\x05\x16\x07 resource fork')
    with open(os.path.join(frames, '.DS_Store'), 'wb') as f:
        f.write(b'Bud1')
    assert run_clip(tiny_run, frames, mask_path, tmp_path / 'out') == 5
    assert sorted(os.listdir(tmp_path / 'out' / 'masks')) == [f'frame_{i:03d}.png'
                                                              for i in range(5)]
