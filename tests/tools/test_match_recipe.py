"""The matching recipe ``configs/osmn_match_mobilenet_v1_davis2016.py`` on real DAVIS 2016
frames at reduced width: trained by tools/train.py (strict config keys, its real pipeline and
bf16 hook), then through tools/test.py (with and without online fine-tuning),
tools/infer_video.py and the SavedModel export. The accuracy is shown by tools/test.py runs of
the full recipe (docs/training.md)."""
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.apis import init_segmentor
from osmnseg.config import Config
from osmnseg.io.palette import load_index_png
from osmnseg.models.modulators.matching import MatchingMemory

from real_davis import DAVIS_SIZE, DEV, FRAMES, ROOT, SEQUENCES, TRAIN, copy_davis_frames
from requirements import DAVIS_DEV_DATA, DAVIS_TRAIN_DATA, require
from tool_loader import load_tool

RECIPE = os.path.join(ROOT, 'configs', 'osmn_match_mobilenet_v1_davis2016.py')
TRAIN_SEQUENCES = ('bear', 'bmx-bumps')
SMALL = ['model.backbone.width=0.25', 'model.backbone.init_cfg=None',
         'data.test.pipeline.5.size=(96,160)']

require(DAVIS_DEV_DATA, DAVIS_TRAIN_DATA)
train_tool = load_tool('train')
test_tool = load_tool('test')
infer_video = load_tool('infer_video')
export_tool = load_tool('export')


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """``(work dir, --cfg-options)`` of a 2-iteration training run of the recipe."""
    train_root = copy_davis_frames(TRAIN, tmp_path_factory.mktemp('train'), TRAIN_SEQUENCES,
                                   FRAMES, 'train')
    dev_root = copy_davis_frames(DEV, tmp_path_factory.mktemp('dev'), SEQUENCES, FRAMES, 'val')
    options = SMALL + [f'data.test.data_root={dev_root}', f'data.val.data_root={dev_root}',
                       f'data.train.data_root={train_root}']
    work_dir = str(tmp_path_factory.mktemp('work_dir'))
    train_tool.main([RECIPE, '--work-dir', work_dir, '--strict', '--cfg-options', *options,
                     'runner.max_iters=2', 'data.samples_per_gpu=2',
                     'data.train_loader.base_size=(64,112)', 'checkpoint_config.interval=2',
                     'log_config.interval=1', 'log_config.image_interval=1'])
    assert os.path.isfile(os.path.join(work_dir, 'iter_2.index'))
    return work_dir, options


def test_test_tool_scores_the_dev_sequences(trained, tmp_path, capsys):
    work_dir, options = trained
    out = tmp_path / 'out'
    results = test_tool.main([RECIPE, work_dir, '--eval', 'J', 'F', '--out', str(out),
                              '--work-dir', str(tmp_path / 'record'), '--no-progress',
                              '--cfg-options', *options])
    assert 'J&F-Mean' in capsys.readouterr().out
    assert sorted(results.timing) == sorted(SEQUENCES)
    for sequence in SEQUENCES:
        masks = [load_index_png(str(out / sequence / f'{i:05d}.png')) for i in range(FRAMES)]
        assert all(mask.shape == DAVIS_SIZE for mask in masks)


def test_online_finetuning_runs_on_the_matching_model(trained, tmp_path, capsys):
    work_dir, options = trained
    test_tool.main([RECIPE, work_dir, '--eval', 'J', '--online-finetune', '2',
                    '--work-dir', str(tmp_path / 'record'), '--no-progress',
                    '--cfg-options', *options])
    assert 'J-Mean' in capsys.readouterr().out


def test_infer_video_segments_a_real_clip(trained, tmp_path):
    work_dir, options = trained
    frames = os.path.join(DEV, 'JPEGImages', '480p', 'dog')
    clip = tmp_path / 'clip'
    clip.mkdir()
    for index in range(FRAMES):
        os.symlink(os.path.join(frames, f'{index:05d}.jpg'), clip / f'{index:05d}.jpg')
    mask = os.path.join(DEV, 'Annotations', '480p', 'dog', '00000.png')
    out = tmp_path / 'out'
    assert infer_video.main([RECIPE, work_dir, '--frames', str(clip), '--mask', mask, '--out',
                             str(out), '--max-size', '160', '--cfg-options', *options]) == FRAMES
    assert load_index_png(str(out / 'masks' / '00003.png')).shape == DAVIS_SIZE


def test_savedmodel_export_reproduces_track(trained, tmp_path):
    work_dir, options = trained
    out_dir = str(tmp_path / 'savedmodel')
    export_tool.main([RECIPE, work_dir, '--out', out_dir, '--cfg-options', *options])
    loaded = tf.saved_model.load(out_dir)
    assert set(loaded.signatures) == {'embed_frame', 'track_frame'}
    cfg = Config.fromfile(RECIPE)
    cfg.merge_from_dict({'model.backbone.width': 0.25, 'model.backbone.init_cfg': None})
    model = init_segmentor(cfg, work_dir, dtype='float32')
    rng = np.random.default_rng(0)
    image = tf.constant(rng.normal(0, 0.5, (1, 48, 80, 3)).astype(np.float32))
    embedding = loaded.signatures['embed_frame'](image=image)['embedding']
    np.testing.assert_allclose(embedding, model.embed(image), atol=1e-5)
    masks = tf.constant((rng.random((2, 48, 80, 1)) > 0.5).astype(np.float32))
    references = tf.tile(embedding, [2, 1, 1, 1])
    served = loaded.signatures['track_frame'](image=image, ref_embedding=references,
                                              ref_mask=masks, prev_embedding=embedding,
                                              prev_mask=masks)
    expected = model.track(image, {}, MatchingMemory(references, masks, embedding, masks))
    assert served['logits'].shape == (2, 48, 80, 1)
    np.testing.assert_allclose(served['logits'], expected['logits'], atol=1e-4)
