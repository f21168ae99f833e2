"""evaluate_dataset: scores, result layouts, scores on disk, overlays, YouTube-VOS submission."""
import json
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from osmnseg.apis.test import check_output_dirs, evaluate_dataset
from osmnseg.datasets import YouTubeVOS
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.evaluation import GLOBAL_COLUMNS, SUBMISSION_ZIP, davis_miou, evaluate_results_dir
from osmnseg.utils.errors import ConfigError, OutputError

from segmenter_inputs import box_mask, synthetic_frames


def png_files(folder):
    return sorted(os.path.relpath(os.path.join(root, name), folder)
                  for root, _, files in os.walk(folder) for name in files
                  if name.endswith('.png'))


@pytest.fixture(scope='module')
def written(segmenter, toy_dataset, tmp_path_factory):
    """One run that scores and writes PNGs, float16 scores and overlays."""
    out = tmp_path_factory.mktemp('results')
    show = tmp_path_factory.mktemp('show')
    results = evaluate_dataset(segmenter, toy_dataset, out_dir=str(out), metrics=('J', 'F', 'mIoU'),
                               save_score=True, show_dir=str(show), progress=False,
                               score_dtype='float16')
    return results, str(out), str(show)


def test_scores_match_the_evaluators_on_the_written_results(written, toy_dataset):
    results, out, _ = written
    assert list(results.global_metrics) == list(GLOBAL_COLUMNS) + ['mIoU']
    assert all(-1 <= v <= 1 for v in results.global_metrics.values())  # decay may be < 0
    official = evaluate_results_dir(toy_dataset.data_root, out, 2017, 'val')
    assert official.global_metrics == pytest.approx(results.davis.global_metrics)
    miou, _ = davis_miou(toy_dataset.data_root, out, 2017, 'val')
    assert miou == pytest.approx(results.miou)
    assert set(results.timing) == {s.name for s in toy_dataset.sequences()}


def test_result_pngs_round_trip_as_palette_images(written, segmenter, toy_dataset):
    _, out, _ = written
    sequence = toy_dataset.sequences()[0]
    expected = [f'{s.name}/{f}.png' for s in toy_dataset.sequences() for f in s.eval_frames]
    assert png_files(out) == sorted(expected)
    for result in segmenter.segment_sequence(sequence):
        path = os.path.join(out, sequence.name, sequence.frame_names[result.index] + '.png')
        with Image.open(path) as image:
            assert image.mode == 'P'
        np.testing.assert_array_equal(load_index_png(path), result.mask)


def test_scores_are_saved_per_object(written, toy_dataset):
    _, out, _ = written
    for sequence in toy_dataset.sequences():
        for obj in sequence.object_ids:
            folder = os.path.join(out, sequence.name, str(obj))
            assert sorted(os.listdir(folder)) == [f + '.npy' for f in sequence.eval_frames]
            score = np.load(os.path.join(folder, sequence.eval_frames[-1] + '.npy'))
            assert score.dtype == np.float16 and score.shape == tuple(sequence.original_size)
            assert 0 <= score.min() <= score.max() <= 1


def test_overlays_and_one_gif_per_sequence(written, toy_dataset):
    _, _, show = written
    for sequence in toy_dataset.sequences():
        overlays = sorted(os.listdir(os.path.join(show, sequence.name)))
        assert overlays == [f + '.png' for f in sequence.eval_frames]
        with Image.open(os.path.join(show, sequence.name + '.gif')) as gif:
            assert gif.n_frames == len(sequence.eval_frames)


def test_evaluation_without_outputs_writes_nothing(segmenter, toy_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = evaluate_dataset(segmenter, toy_dataset, metrics=['J&F'], progress=False)
    assert 'J&F-Mean' in results.global_metrics and 'mIoU' not in results.global_metrics
    assert os.listdir(tmp_path) == []


def test_existing_results_are_not_overwritten_silently(tmp_path):
    save_palette_png(str(tmp_path / 'seq' / '00000.png'), np.zeros((4, 4), np.uint8))
    with pytest.raises(OutputError, match=f'--out {tmp_path} already holds results; choose '
                       'another folder or pass --overwrite'):
        check_output_dirs(str(tmp_path))
    with pytest.raises(OutputError, match=f'--show-dir {tmp_path} already holds results'):
        check_output_dirs(show_dir=str(tmp_path))
    check_output_dirs(str(tmp_path), overwrite=True)
    check_output_dirs(str(tmp_path / 'new'), str(tmp_path / 'show'))


@pytest.mark.parametrize('name', ['scores.npy', 'clip.gif'])
def test_scores_and_gifs_count_as_results(tmp_path, name):
    (tmp_path / name).write_bytes(b'x')
    with pytest.raises(OutputError, match='already holds results'):
        check_output_dirs(str(tmp_path))


def test_out_and_show_dir_must_differ(tmp_path):
    with pytest.raises(OutputError, match='--out and --show-dir are both .*: the overlays would '
                       'replace the result PNGs'):
        check_output_dirs(str(tmp_path / 'a'), str(tmp_path / 'a' / '.'), overwrite=True)


def test_output_folder_that_is_a_file_or_read_only(tmp_path, monkeypatch):
    (tmp_path / 'file').write_text('mine')
    with pytest.raises(OutputError, match=f'--out {tmp_path / "file"} is a file, not a folder'):
        check_output_dirs(str(tmp_path / 'file'))
    with pytest.raises(OutputError, match='cannot be created: .*file is a file, not a folder'):
        check_output_dirs(show_dir=str(tmp_path / 'file' / 'sub'))
    # root may write anywhere, so a read-only folder is simulated
    monkeypatch.setattr(os, 'access', lambda path, mode: path != str(tmp_path))
    with pytest.raises(OutputError, match=f'cannot be written: {tmp_path} is read-only'):
        check_output_dirs(str(tmp_path / 'new'))
    assert (tmp_path / 'file').read_text() == 'mine'


def test_bad_requests_are_config_errors(segmenter, toy_dataset):
    with pytest.raises(ConfigError, match='unknown metric'):
        evaluate_dataset(segmenter, toy_dataset, metrics=['AP'], progress=False)
    with pytest.raises(ConfigError, match='needs an output folder'):
        evaluate_dataset(segmenter, toy_dataset, metrics=(), save_score=True, progress=False)


@pytest.fixture
def youtube_vos(tmp_path):
    """A valid split with one video: object 1 from frame 0, object 2 from frame 2; meta.json
    lists every other frame (as the real valid split lists every 5th)."""
    split = tmp_path / 'ytvos' / 'valid'
    frames = synthetic_frames(6, size=(40, 64))
    for index, frame in enumerate(frames):
        path = split / 'JPEGImages' / 'vid' / f'{index:05d}.jpg'
        os.makedirs(path.parent, exist_ok=True)
        Image.fromarray(frame).save(path, quality=95)
    save_palette_png(str(split / 'Annotations' / 'vid' / '00000.png'),
                     box_mask((40, 64), (4, 4, 20, 24), 1))
    save_palette_png(str(split / 'Annotations' / 'vid' / '00002.png'),
                     box_mask((40, 64), (10, 36, 30, 60), 2))
    meta = {'videos': {'vid': {'objects': {
        '1': {'category': 'toy', 'frames': ['00000', '00002', '00004']},
        '2': {'category': 'toy', 'frames': ['00002', '00004']}}}}}
    (split / 'meta.json').write_text(json.dumps(meta))
    return YouTubeVOS(str(tmp_path / 'ytvos'), split='valid', test_mode=True)


def test_youtube_vos_submission_layout_and_zip(segmenter, youtube_vos, tmp_path):
    out = tmp_path / 'submission'
    evaluate_dataset(segmenter, youtube_vos, out_dir=str(out), metrics=(), format_only=True,
                     progress=False)
    expected = ['Annotations/vid/00000.png', 'Annotations/vid/00002.png',
                'Annotations/vid/00004.png']
    assert png_files(str(out)) == expected
    with zipfile.ZipFile(out / SUBMISSION_ZIP) as archive:
        assert sorted(archive.namelist()) == expected
    first = load_index_png(str(out / 'Annotations' / 'vid' / '00000.png'))
    assert first.shape == (40, 64) and set(np.unique(first)) == {0, 1}
    with pytest.raises(ConfigError, match='--format-only'):
        evaluate_dataset(segmenter, youtube_vos, metrics=['J'], progress=False)
