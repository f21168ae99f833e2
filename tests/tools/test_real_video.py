"""Real DAVIS 2016 frames (``../shared/data``) through every inference path, with the real-video
recipe ``configs/osmn_mobilenet_v1_davis2016.py`` at reduced width and random weights: the
paths, sizes and formats are checked here, the accuracy by ``tools/test.py`` (docs/training.md).
"""
import os

import numpy as np
import pytest
from PIL import Image

from osmnseg.config import Config
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.models import build_segmentor
from osmnseg.models.checkpoint import save_checkpoint

from real_davis import DAVIS_SIZE, DEV, FRAMES, ROOT, SEQUENCES, copy_davis_frames
from requirements import DAVIS_DEV_DATA, VIDEO_EXTRA, require
from tool_loader import load_tool

RECIPE = os.path.join(ROOT, 'configs', 'osmn_mobilenet_v1_davis2016.py')

require(DAVIS_DEV_DATA)
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
    return copy_davis_frames(DEV, tmp_path_factory.mktemp('davis2016_real'), SEQUENCES, FRAMES,
                             'val')


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


@pytest.fixture(scope='module')
def real_clip(real_root, tmp_path_factory):
    """The dog frames as a folder, its first mask as a grey 0/255 PNG, and an MP4 of them."""
    frames = os.path.join(real_root, 'JPEGImages', '480p', 'dog')
    mask = os.path.join(real_root, 'Annotations', '480p', 'dog', '00000.png')
    return frames, mask


def _infer(recipe_run, *args):
    config, work_dir, options = recipe_run
    return infer_video.main([config, work_dir, *args, '--max-size', '160', '--dtype', 'float32',
                             '--cfg-options', *options])


def test_infer_video_from_real_frames_gives_full_size_masks_and_overlays(recipe_run, real_clip,
                                                                         tmp_path):
    frames, mask = real_clip
    out = tmp_path / 'out'
    assert _infer(recipe_run, '--frames', frames, '--mask', mask, '--out', str(out),
                  '--overlay', 'mp4', '--overlay', 'gif') == FRAMES
    names = [f'{i:05d}.png' for i in range(FRAMES)]
    assert sorted(os.listdir(out / 'masks')) == names
    for name in names:
        with Image.open(out / 'masks' / name) as image:
            assert image.mode == 'P' and image.size == (854, 480)
    assert (out / 'overlay.gif').is_file() and (out / 'overlay.mp4').stat().st_size > 0


def test_infer_video_from_an_mp4_of_real_frames(recipe_run, real_clip, tmp_path):
    require(VIDEO_EXTRA)
    import imageio
    frames, mask = real_clip
    video = tmp_path / 'dog.mp4'
    with imageio.get_writer(str(video), fps=10, macro_block_size=1) as writer:
        for name in sorted(os.listdir(frames)):
            writer.append_data(np.asarray(Image.open(os.path.join(frames, name))))
    out = tmp_path / 'out'
    assert _infer(recipe_run, '--video', str(video), '--mask', mask, '--out', str(out)) == FRAMES
    first = load_index_png(str(out / 'masks' / '00000.png'))
    assert first.shape == DAVIS_SIZE and first.any()
    assert sorted(os.listdir(out)) == ['masks']  # overlays only when asked for


def test_full_hd_frames_are_processed_small_and_returned_full_size(recipe_run, real_clip,
                                                                   tmp_path):
    frames, mask = real_clip
    big = tmp_path / 'big'
    big.mkdir()
    for name in sorted(os.listdir(frames)):
        Image.open(os.path.join(frames, name)).resize((1920, 1080), Image.BILINEAR).save(
            big / name, quality=90)
    big_mask = tmp_path / 'big_mask.png'
    Image.open(mask).resize((1920, 1080), Image.NEAREST).save(big_mask)
    config, work_dir, options = recipe_run
    args = infer_video.parse_args([config, work_dir, '--frames', str(big), '--mask',
                                   str(big_mask), '--out', 'unused', '--max-size', '160',
                                   '--cfg-options', *options])
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({'model.backbone.width': 0.25, 'model.visual_modulator.width': 0.25})
    assert infer_video.build_segmenter(cfg, args).settings.working_size((1080, 1920)) == (96, 160)
    out = tmp_path / 'out'
    assert _infer(recipe_run, '--frames', str(big), '--mask', str(big_mask),
                  '--out', str(out)) == FRAMES
    masks = [load_index_png(str(out / 'masks' / f'{i:05d}.png')) for i in range(FRAMES)]
    assert all(m.shape == (1080, 1920) for m in masks)
    np.testing.assert_array_equal(masks[0] > 0, np.asarray(Image.open(big_mask)) > 0)


def test_an_object_given_on_a_later_frame_joins_from_that_frame(recipe_run, real_clip,
                                                                tmp_path):
    frames, mask = real_clip
    truth = np.asarray(Image.open(mask)) > 0
    first = np.zeros(truth.shape, np.uint8)
    first[truth] = 1
    late = np.zeros(truth.shape, np.uint8)
    late[20:120, 30:200] = 2  # a second object, annotated on frame 2 only
    first_path, late_path = tmp_path / 'first.png', tmp_path / 'late.png'
    save_palette_png(str(first_path), first)
    save_palette_png(str(late_path), late)
    out = tmp_path / 'out'
    _infer(recipe_run, '--frames', frames, '--mask', str(first_path), '--mask',
           f'00002={late_path}', '--out', str(out))
    masks = [load_index_png(str(out / 'masks' / f'{i:05d}.png')) for i in range(FRAMES)]
    assert not (masks[0] == 2).any() and not (masks[1] == 2).any()
    # joins with its given mask (taken at the working size, where object 1 may also claim pixels)
    joined, given = masks[2] == 2, late == 2
    assert (joined & given).sum() / (joined | given).sum() > 0.85
    assert (masks[0] == 1).any()


def test_a_late_mask_must_name_an_existing_frame_and_new_ids(recipe_run, real_clip, tmp_path):
    frames, mask = real_clip
    with pytest.raises(SystemExit, match='holds 4 frames'):
        _infer(recipe_run, '--frames', frames, '--mask', mask, '--mask', f'9={mask}',
               '--out', str(tmp_path / 'a'))
    with pytest.raises(SystemExit, match='objects that join later need new ids'):
        _infer(recipe_run, '--frames', frames, '--mask', mask, '--mask', f'00002={mask}',
               '--out', str(tmp_path / 'b'))
