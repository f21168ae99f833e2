"""Native checkpoints: atomic save, meta, last_checkpoint, pruning, resolve, restore, fallback."""
import json
import logging
import os

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.models import checkpoint as ckpt
from osmnseg.utils.errors import CheckpointError
from tiny_models import tiny_model


@pytest.fixture(scope='module')
def model():
    return tiny_model('osvos')


@pytest.fixture(scope='module')
def other_model():
    return tiny_model('osvos')


def randomize(model, seed):
    """Give every variable new random values (so that a restore is visible)."""
    rng = np.random.default_rng(seed)
    for variable in model.reference_variables().values():
        variable.assign(rng.standard_normal(variable.shape).astype(np.float32))


def values(model):
    return {name: v.numpy() for name, v in model.reference_variables().items()}


def files(directory):
    return sorted(os.listdir(directory))


def test_save_writes_checkpoint_meta_and_pointer(tmp_path, model):
    prefix = ckpt.save_checkpoint(str(tmp_path), 7, model, {'config': 'a = 1',
                                                             'mJF': np.float32(0.5)})
    assert prefix == str(tmp_path / 'iter_7')
    assert files(tmp_path) == ['iter_7.data-00000-of-00001', 'iter_7.index', 'iter_7.json',
                               'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_7\n'
    meta = ckpt.read_meta(prefix)
    assert meta['config'] == 'a = 1' and meta['mJF'] == 0.5 and meta['iteration'] == 7
    assert meta['tensorflow_version'] == tf.__version__ and 'osmnseg_version' in meta
    keys = dict(tf.train.list_variables(prefix))
    assert any(key.startswith('model/') for key in keys)


def test_restore_round_trip_with_extra_trackables(tmp_path, model, other_model):
    randomize(model, 0)
    step, rng = tf.Variable(41, dtype=tf.int64), tf.random.Generator.from_seed(3)
    rng.normal([5])  # advance the stream so the restored state is not the initial one
    prefix = ckpt.save_checkpoint(str(tmp_path), 41, model, {'note': 'x'}, step=step, rng=rng)
    expected_draw = rng.normal([4]).numpy()
    randomize(other_model, 1)
    new_step, new_rng = tf.Variable(0, dtype=tf.int64), tf.random.Generator.from_seed(99)
    meta = ckpt.restore_checkpoint(ckpt.resolve_checkpoint(str(tmp_path)), other_model,
                                   step=new_step, rng=new_rng)
    assert meta['note'] == 'x' and meta['iteration'] == 41
    assert int(new_step.numpy()) == 41
    np.testing.assert_array_equal(new_rng.normal([4]).numpy(), expected_draw)
    restored, saved = values(other_model), values(model)
    for name, value in saved.items():
        if '-up' in name:  # fixed bilinear kernels are re-applied, not taken from the file
            continue
        np.testing.assert_array_equal(restored[name], value, err_msg=name)
    assert prefix == ckpt.resolve_checkpoint(str(tmp_path))


def test_restore_requires_every_saved_object(tmp_path, model, other_model):
    prefix = ckpt.save_checkpoint(str(tmp_path), 1, model, {})
    with pytest.raises(CheckpointError, match='does not hold every object'):
        ckpt.restore_checkpoint(prefix, other_model, step=tf.Variable(0))


def test_resolve_accepts_prefix_and_files_and_names_missing_paths(tmp_path, model):
    prefix = ckpt.save_checkpoint(str(tmp_path), 3, model, {})
    assert ckpt.resolve_checkpoint(prefix) == prefix
    assert ckpt.resolve_checkpoint(prefix + '.index') == prefix
    assert ckpt.resolve_checkpoint(prefix + '.data-00000-of-00001') == prefix
    missing = str(tmp_path / 'iter_99')
    with pytest.raises(CheckpointError, match=f'no checkpoint at {missing}'):
        ckpt.resolve_checkpoint(missing)
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(CheckpointError, match=f'directory {empty} holds no last_checkpoint'):
        ckpt.resolve_checkpoint(str(empty))


def test_resolve_reads_the_state_file_of_an_original_model_dir(tmp_path):
    # The original code saved with tf.train.Saver: osmn.ckpt-N plus a 'checkpoint' state file.
    prefix = str(tmp_path / 'osmn.ckpt-300000')
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=['global_step'], shape_and_slices=[''],
                      tensors=[tf.constant(300000, tf.int64)])
    (tmp_path / 'checkpoint').write_text('model_checkpoint_path: "osmn.ckpt-300000"\n')
    assert ckpt.resolve_checkpoint(str(tmp_path)) == prefix


class SimulatedCrash(Exception):
    """The process dies at this point."""


def test_last_checkpoint_survives_a_crash_while_pointing(tmp_path, model, monkeypatch):
    ckpt.save_checkpoint(str(tmp_path), 1, model, {})
    real_replace = os.replace

    def crash_on_pointer(src, dst):
        if os.path.basename(dst) == 'last_checkpoint':
            raise SimulatedCrash
        real_replace(src, dst)

    monkeypatch.setattr(ckpt.os, 'replace', crash_on_pointer)
    with pytest.raises(SimulatedCrash):
        ckpt.save_checkpoint(str(tmp_path), 2, model, {})
    monkeypatch.undo()
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_1\n'
    assert ckpt.find_usable_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_1')
    ckpt.save_checkpoint(str(tmp_path), 3, model, {})
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_3\n'
    assert not [name for name in files(tmp_path) if 'tmp' in name]


def test_leftovers_of_a_crashed_write_are_replaced(tmp_path, model):
    (tmp_path / '.tmp_iter_5.index').write_bytes(b'garbage')
    (tmp_path / '.tmp_iter_5.data-00000-of-00001').write_bytes(b'garbage')
    prefix = ckpt.save_checkpoint(str(tmp_path), 5, model, {})
    ckpt.validate_checkpoint(prefix)
    assert not [name for name in files(tmp_path) if name.startswith('.tmp')]


def test_max_keep_prunes_old_iterations_but_not_best_or_pointed(tmp_path, model):
    directory = str(tmp_path)
    ckpt.save_checkpoint(directory, 1, model, {})
    ckpt.save_checkpoint(directory, 2, model, {}, name='best_mJF_iter_2', update_last=False)
    for iteration in (3, 4, 5):
        ckpt.save_checkpoint(directory, iteration, model, {}, max_keep=2)
    assert [os.path.basename(p) for p in ckpt.iteration_checkpoints(directory)] == \
        ['iter_5', 'iter_4']
    assert os.path.isfile(os.path.join(directory, 'best_mJF_iter_2.index'))
    assert os.path.isfile(os.path.join(directory, 'best_mJF_iter_2.json'))
    assert not [name for name in files(tmp_path) if name.startswith('iter_3')]
    # A checkpoint saved without moving the pointer leaves the pointed one alive.
    ckpt.save_checkpoint(directory, 6, model, {}, max_keep=1, update_last=False)
    assert [os.path.basename(p) for p in ckpt.iteration_checkpoints(directory)] == \
        ['iter_6', 'iter_5']


def test_corrupted_latest_falls_back_to_previous_with_warning(tmp_path, model, other_model,
                                                              caplog):
    directory = str(tmp_path)
    randomize(model, 2)
    ckpt.save_checkpoint(directory, 10, model, {})
    saved = values(model)
    randomize(model, 3)
    latest = ckpt.save_checkpoint(directory, 20, model, {})
    data = latest + '.data-00000-of-00001'
    with open(data, 'r+b') as f:
        f.truncate(os.path.getsize(data) // 2)
    # a logger outside the 'osmnseg' tree: osmnseg's own logger does not propagate to the root
    # logger caplog listens on once another test has configured it
    logger = logging.getLogger('test_checkpoint_fallback')
    with caplog.at_level(logging.WARNING):
        assert ckpt.find_usable_checkpoint(directory, logger=logger) == \
            os.path.join(directory, 'iter_10')
    assert f'checkpoint {latest} cannot be read' in caplog.text
    with pytest.raises(CheckpointError, match='cannot be read'):
        ckpt.restore_checkpoint(latest, other_model)
    report = ckpt.load_checkpoint(other_model, directory)
    assert report.path == os.path.join(directory, 'iter_10')
    np.testing.assert_array_equal(values(other_model)['osmn/seg/conv3/conv3_1/weights'],
                                  saved['osmn/seg/conv3/conv3_1/weights'])


def test_no_readable_checkpoint_is_an_error(tmp_path, model):
    prefix = ckpt.save_checkpoint(str(tmp_path), 1, model, {})
    with open(prefix + '.data-00000-of-00001', 'r+b') as f:
        f.truncate(8)
    with pytest.raises(CheckpointError, match=f'directory {tmp_path} holds no readable'):
        ckpt.find_usable_checkpoint(str(tmp_path))


def test_read_meta_of_foreign_and_broken_meta_files(tmp_path, model):
    prefix = ckpt.save_checkpoint(str(tmp_path), 1, model, {})
    os.remove(prefix + '.json')
    assert ckpt.read_meta(prefix) == {}
    with open(prefix + '.json', 'w') as f:
        f.write('{not json')
    with pytest.raises(CheckpointError, match=f'meta file {prefix}.json'):
        ckpt.read_meta(prefix)
    with open(prefix + '.json', 'w') as f:
        json.dump({'iteration': 1}, f)
    assert ckpt.read_meta(prefix) == {'iteration': 1}
