"""The ToyVOS generator (osmnseg/datasets/toyvos/) on tiny sets: layout, content, manifest."""
import filecmp
import json
import logging
import os

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from osmnseg.datasets import toyvos
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.datasets.toyvos import (ToyObject, ToyScene, ToyVOSParams, ensure_toyvos,
                                     generate_toyvos, make_trajectory, make_valid_scene,
                                     render_frame)
from osmnseg.datasets.toyvos import generate as toyvos_generate
from osmnseg.datasets.toyvos import writer as toyvos_writer
from osmnseg.evaluation.baselines import copy_first_frame_baseline_jf
from osmnseg.utils.errors import ConfigError, DataError

TINY = ToyVOSParams(seed=3, num_train=2, num_val=1, height=64, width=96, min_frames=6,
                    max_frames=6, coco_frame_step=2)


@pytest.fixture(scope='module')
def tiny_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy') / 'toyvos')
    return root, generate_toyvos(root, TINY)


def annotation_stack(root, name):
    folder = os.path.join(root, 'Annotations', '480p', name)
    return np.stack([load_index_png(os.path.join(folder, f)) for f in sorted(os.listdir(folder))])


def test_layout_follows_davis_2017(tiny_set):
    root, manifest = tiny_set
    for version in ('2016', '2017'):
        for split, names in (('train', ['toy_train_000', 'toy_train_001']),
                             ('val', ['toy_val_000'])):
            with open(os.path.join(root, 'ImageSets', version, f'{split}.txt')) as f:
                assert f.read().split() == names
    for name, info in manifest['sequences'].items():
        frames = sorted(os.listdir(os.path.join(root, 'JPEGImages', '480p', name)))
        labels = sorted(os.listdir(os.path.join(root, 'Annotations', '480p', name)))
        assert frames == [f'{t:05d}.jpg' for t in range(info['num_frames'])]
        assert labels == [f'{t:05d}.png' for t in range(info['num_frames'])]
        with Image.open(os.path.join(root, 'JPEGImages', '480p', name, frames[0])) as image:
            assert image.mode == 'RGB' and image.size == (96, 64)
        with Image.open(os.path.join(root, 'Annotations', '480p', name, labels[0])) as image:
            assert image.mode == 'P' and image.size == (96, 64)
    assert manifest['file_count'] == 3 * 6 * 2 + 4 + 2
    with open(os.path.join(root, 'manifest.json')) as f:
        assert json.load(f)['content_hash'] == manifest['content_hash']


def test_object_ids_and_first_frame_masks(tiny_set):
    root, manifest = tiny_set
    min_area = TINY.min_first_area * TINY.height * TINY.width
    for name, info in manifest['sequences'].items():
        labels = annotation_stack(root, name)
        ids = info['object_ids']
        assert 1 <= len(ids) <= TINY.max_objects and ids == list(range(1, len(ids) + 1))
        assert np.unique(labels[0]).tolist() == [0] + ids  # every object visible at frame 0
        assert set(np.unique(labels).tolist()) <= {0, *ids}
        for object_id in ids:
            assert np.count_nonzero(labels[0] == object_id) >= min_area


def test_generation_is_deterministic_and_per_sequence(tiny_set, tmp_path):
    root, manifest = tiny_set
    again = generate_toyvos(str(tmp_path / 'again'), TINY)
    assert again['content_hash'] == manifest['content_hash']
    for name in manifest['sequences']:
        match, mismatch, errors = filecmp.cmpfiles(
            os.path.join(root, 'Annotations', '480p', name),
            os.path.join(tmp_path, 'again', 'Annotations', '480p', name),
            [f'{t:05d}.png' for t in range(6)], shallow=False)
        assert not mismatch and not errors
    fewer = generate_toyvos(str(tmp_path / 'fewer'), ToyVOSParams(
        **{**TINY.to_dict(), 'num_train': 1}))
    assert fewer['content_hash'] != manifest['content_hash']
    np.testing.assert_array_equal(annotation_stack(str(tmp_path / 'fewer'), 'toy_train_000'),
                                  annotation_stack(root, 'toy_train_000'))


def test_manifest_skips_or_regenerates(tmp_path, monkeypatch):
    root = str(tmp_path / 'toyvos')
    first = generate_toyvos(root, TINY)
    calls = []
    real_write = toyvos_generate.write_dataset
    monkeypatch.setattr(toyvos_generate, 'write_dataset',
                        lambda *a: calls.append(a) or real_write(*a))
    assert ensure_toyvos(root, TINY.to_dict()) == os.path.abspath(root)
    assert calls == []  # same params: nothing rewritten
    reseeded = generate_toyvos(root, ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}))
    assert len(calls) == 1 and reseeded['content_hash'] != first['content_hash']
    assert toyvos.read_manifest(root)['params']['seed'] == 4
    os.remove(os.path.join(root, 'JPEGImages', '480p', 'toy_val_000', '00003.jpg'))
    ensure_toyvos(root, ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}))
    assert len(calls) == 2  # a missing file makes the set incomplete
    generate_toyvos(root, ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}), force=True)
    assert len(calls) == 3
    assert [n for n in os.listdir(tmp_path) if n != 'toyvos'] == []  # no temporary folders left


def test_interrupted_generation_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(toyvos_writer, 'write_sequence', crash)
    with pytest.raises(KeyboardInterrupt):
        generate_toyvos(str(tmp_path / 'toyvos'), TINY)
    assert os.listdir(tmp_path) == []


def test_refuses_to_replace_a_foreign_folder(tmp_path):
    (tmp_path / 'mine.txt').write_text('user data')
    with pytest.raises(DataError, match='is not a ToyVOS folder'):
        generate_toyvos(str(tmp_path), TINY, force=True)
    assert os.listdir(tmp_path) == ['mine.txt']


def test_a_set_with_a_users_file_is_never_regenerated_or_cleared(tmp_path):
    root = str(tmp_path / 'toyvos')
    generate_toyvos(root, TINY)
    notes = os.path.join(root, 'MY_NOTES.txt')
    with open(notes, 'w') as f:
        f.write('my notes')
    for params, force in ((TINY, False), (ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}), False),
                          (TINY, True)):
        with pytest.raises(DataError) as error:
            generate_toyvos(root, params, force=force)
        message = str(error.value)
        assert '\n' not in message and 'MY_NOTES.txt' in message
        assert 'is not a ToyVOS folder' in message and 'does not list' in message
    with open(notes) as f:
        assert f.read() == 'my notes'
    assert toyvos.read_manifest(root)['params']['seed'] == TINY.seed
    assert sorted(os.listdir(tmp_path)) == ['toyvos']


@pytest.fixture
def generation_log():
    """Messages of the generator's logger (which need not propagate to the root logger)."""
    records, handler = [], logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger(toyvos_generate.__name__)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_generation_is_logged(tmp_path, generation_log):
    root = str(tmp_path / 'toyvos')
    generate_toyvos(root, TINY)
    generate_toyvos(root, ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}))
    generate_toyvos(root, ToyVOSParams(**{**TINY.to_dict(), 'seed': 4}))  # current: silent
    lines = [r.getMessage() for r in generation_log]
    assert len(lines) == 2 and all(root in line for line in lines)
    assert 'new or empty folder' in lines[0] and 'replacing its outdated' in lines[1]


def test_coco_json_matches_the_palette_masks(tiny_set):
    root, manifest = tiny_set
    for split in ('train', 'val'):
        coco = COCO(os.path.join(root, 'annotations', f'instances_{split}.json'))
        images = coco.loadImgs(coco.getImgIds())
        names = [n for n, info in manifest['sequences'].items() if info['split'] == split]
        assert len(images) == len(names) * 3  # frames 0, 2, 4 of each 6-frame sequence
        assert len(coco.getAnnIds()) > 0 and len(coco.loadCats(coco.getCatIds())) == 4
        for image in images:
            assert os.path.isfile(os.path.join(root, toyvos.IMAGE_ROOT, image['file_name']))
            labels = load_index_png(os.path.join(
                root, 'Annotations', '480p', image['file_name'].replace('.jpg', '.png')))
            for ann in coco.loadAnns(coco.getAnnIds(imgIds=image['id'])):
                truth = labels == ann['object_id']
                np.testing.assert_array_equal(coco.annToMask(ann), truth)
                ys, xs = np.nonzero(truth)
                assert ann['bbox'] == [xs.min(), ys.min(), xs.max() - xs.min() + 1,
                                       ys.max() - ys.min() + 1]
                assert ann['area'] == truth.sum() and ann['iscrowd'] == 0
            present = set(np.unique(labels).tolist()) - {0}
            assert {a['object_id'] for a in coco.loadAnns(coco.getAnnIds(imgIds=image['id']))} \
                == present


def test_occluded_parts_are_not_annotated():
    def disc(object_id, x, colour):
        texture = np.full((8, 8, 3), colour, np.float32)
        return ToyObject(object_id=object_id, shape=dict(kind='ellipse', a=1.0, b=1.0),
                         texture_kind='gradient', texture=texture, radius=10.0,
                         positions=np.array([[x, 20.0]]), scales=np.ones(1), angles=np.zeros(1))

    scene = ToyScene(background=np.zeros((41, 61, 3), np.float32), pan=np.zeros((1, 2)),
                     gains=np.ones(1), objects=[disc(1, 22.0, 200), disc(0, 34.0, 100)])
    image, labels = render_frame(scene, 0, (40, 60))
    assert labels[20, 14] == 1 and image[20, 14, 0] == 200  # target only
    assert labels[20, 29] == 0 and image[20, 29, 0] == 100  # distractor in front of the target
    assert labels[20, 40] == 0 and image[20, 40, 0] == 100  # distractor only
    assert labels[5, 5] == 0 and image[5, 5, 0] == 0


def test_exiting_object_leaves_and_comes_back():
    rng = np.random.default_rng(0)
    extents = np.full(40, 10.0)
    path = make_trajectory(rng, (15.0, 30.0), extents, 1.0, (60, 100), exits=True)
    outside = ((path[:, 0] < -10) | (path[:, 0] > 110) | (path[:, 1] < -10) | (path[:, 1] > 70))
    assert outside.any() and not outside[0] and not outside[-1]
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert steps.max() < extents[0]  # smooth: less than an object radius per frame


def test_distractors_copy_a_target_shape_in_another_look():
    params = ToyVOSParams(num_distractors=(2, 2), max_objects=2)
    for index in range(3):
        scene = make_valid_scene(params, 'train', index)
        targets = [o for o in scene.objects if o.object_id]
        for distractor in (o for o in scene.objects if not o.object_id):
            model = next(t for t in targets if t.shape == distractor.shape)
            assert distractor.texture_kind != model.texture_kind


def test_params_are_validated():
    with pytest.raises(ConfigError, match='ToyVOSParams.min_frames'):
        ToyVOSParams(min_frames=2)
    with pytest.raises(ConfigError, match=r"unknown ToyVOS parameter\(s\) \['frames'\]"):
        ToyVOSParams.from_dict(dict(frames=3))
    assert ToyVOSParams.from_dict(dict(object_radius=[0.1, 0.2])).object_radius == (0.1, 0.2)


def test_copy_first_frame_baseline_scores(tmp_path):
    moving = np.zeros((4, 20, 30), np.uint8)
    moving[:, 5:15, 5:15] = 1  # object 1 static: J = F = 1
    moving[0, 5:15, 18:25] = 2  # object 2 gone after frame 0: J = F = 0
    for t, labels in enumerate(moving):
        save_palette_png(str(tmp_path / 'Annotations' / '480p' / 'seq' / f'{t:05d}.png'), labels)
    (tmp_path / 'ImageSets' / '2017').mkdir(parents=True)
    (tmp_path / 'ImageSets' / '2017' / 'val.txt').write_text('seq\n')
    assert copy_first_frame_baseline_jf(str(tmp_path), 'val') == {'J': 0.5, 'F': 0.5, 'J&F': 0.5}
