"""The tf.data training loader: reproducibility, exact resume, epochs, scales, sharding."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from osmnseg.config import Config
from osmnseg.datasets import DAVIS
from osmnseg.datasets.loader import build_train_loader, working_sizes
from osmnseg.utils.errors import ConfigError, DataError

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
TOY_CONFIG = os.path.join(ROOT, 'configs', '_base_', 'datasets', 'toyvos.py')


class IndexDataset:
    """Stand-in for a data set (the ``len``/``prepare`` contract): sample ``i``'s image is
    filled with ``i``, its guide with the first draw of the sample's generator."""

    def __init__(self, num_samples, bad_index=None):
        self.num_samples = num_samples
        self.bad_index = bad_index

    def __len__(self):
        return self.num_samples

    def prepare(self, index, rng, out_size):
        if index == self.bad_index:
            raise DataError(f'frame_{index}.jpg is not a readable image; replace it.')
        height, width = out_size
        return dict(image=np.full((height, width, 3), index, np.float32),
                    guide=np.full((224, 224, 3), rng.random(), np.float32),
                    spatial_guide=np.zeros((height, width, 1), np.float32),
                    label=np.ones((height, width, 1), np.float32))


def _take(loader, count):
    iterator = iter(loader)
    return [{key: value.numpy() for key, value in next(iterator).items()} for _ in range(count)]


def _indices(batch):
    return batch['image'][:, 0, 0, 0].astype(int).tolist()


def _assert_same(first, second):
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_same_seed_gives_the_same_batches():
    first = _take(build_train_loader(IndexDataset(9), 3, seed=5, scales=(0.5, 1.0),
                                     base_size=(8, 12)), 4)
    again = _take(build_train_loader(IndexDataset(9), 3, seed=5, scales=(0.5, 1.0),
                                     base_size=(8, 12)), 4)
    other = _take(build_train_loader(IndexDataset(9), 3, seed=6, scales=(0.5, 1.0),
                                     base_size=(8, 12)), 4)
    for a, b in zip(first, again):
        _assert_same(a, b)
    assert first[0]['guide'][0, 0, 0, 0] != first[1]['guide'][0, 0, 0, 0]
    assert [_indices(b) for b in first] != [_indices(b) for b in other]


def test_start_iter_continues_exactly():
    fresh = _take(build_train_loader(IndexDataset(7), 2, seed=1, scales=(0.5, 1.0),
                                     base_size=(8, 8)), 6)
    resumed = build_train_loader(IndexDataset(7), 2, seed=1, scales=(0.5, 1.0),
                                 base_size=(8, 8), start_iter=4)
    for expected, batch in zip(fresh[4:], _take(resumed, 2)):
        _assert_same(expected, batch)
    assert resumed.state() == {'iteration': 6}
    resumed.set_state({'iteration': 1})
    assert resumed.iteration_of_next_batch == 1
    _assert_same(fresh[1], _take(resumed, 1)[0])


def test_epochs_are_permutations_that_wrap():
    batches = _take(build_train_loader(IndexDataset(10), 4, seed=0, scales=(1.0,),
                                       base_size=(2, 2)), 5)
    stream = sum((_indices(batch) for batch in batches), [])
    assert sorted(stream[:10]) == list(range(10)) and sorted(stream[10:]) == list(range(10))
    assert stream[:10] != stream[10:]


def test_one_working_size_per_batch():
    assert working_sizes((480, 854), (0.5, 0.8, 1.0)) == [(240, 427), (384, 683), (480, 854)]
    batches = _take(build_train_loader(IndexDataset(5), 2, seed=3, scales=(0.5, 1.0),
                                       base_size=(10, 21)), 8)
    sizes = {batch['image'].shape[1:3] for batch in batches}
    assert sizes == {(5, 10), (10, 21)}
    assert all(batch['label'].shape[1:3] == batch['image'].shape[1:3] for batch in batches)


def test_two_shards_make_the_global_batch():
    global_batches = _take(build_train_loader(IndexDataset(11), 4, seed=2, scales=(0.5, 1.0),
                                              base_size=(6, 6), start_iter=2), 3)
    shards = []
    for pipeline_id in range(2):
        context = tf.distribute.InputContext(num_input_pipelines=2,
                                             input_pipeline_id=pipeline_id,
                                             num_replicas_in_sync=2)
        shards.append(_take(build_train_loader(IndexDataset(11), 4, seed=2, scales=(0.5, 1.0),
                                               base_size=(6, 6), start_iter=2,
                                               input_context=context), 3))
    for step, expected in enumerate(global_batches):
        assert shards[0][step]['image'].shape[0] == 2
        joined = {key: np.concatenate([shards[0][step][key], shards[1][step][key]])
                  for key in expected}
        _assert_same(expected, joined)


def test_indivisible_batch_and_bad_arguments():
    context = tf.distribute.InputContext(num_input_pipelines=1, input_pipeline_id=0,
                                         num_replicas_in_sync=2)
    with pytest.raises(ConfigError, match='not divisible'):
        build_train_loader(IndexDataset(4), 3, seed=0, scales=(1.0,), base_size=(4, 4),
                           input_context=context).dataset
    with pytest.raises(ConfigError, match='seed'):
        build_train_loader(IndexDataset(4), 2, seed=None, scales=(1.0,), base_size=(4, 4))
    with pytest.raises(ConfigError, match='scales'):
        build_train_loader(IndexDataset(4), 2, seed=0, scales=(), base_size=(4, 4))
    with pytest.raises(DataError, match='no samples'):
        build_train_loader(IndexDataset(0), 2, seed=0, scales=(1.0,), base_size=(4, 4))


def test_data_errors_reach_the_caller_unwrapped():
    loader = build_train_loader(IndexDataset(3, bad_index=1), 3, seed=0, scales=(1.0,),
                                base_size=(4, 4))
    with pytest.raises(DataError, match='frame_1.jpg'):
        next(iter(loader))


def test_real_davis_reader_end_to_end(tiny_toyvos):
    cfg = Config.fromfile(TOY_CONFIG)
    dataset = DAVIS(tiny_toyvos, version=2017, split='train', randomize_guide=True,
                    pipeline=cfg.train_pipeline)
    make = lambda: build_train_loader(dataset, 2, seed=0, scales=(0.5, 1.0),  # noqa: E731
                                      base_size=(64, 96), num_parallel_calls=2)
    first, again = _take(make(), 3), _take(make(), 3)
    for batch, same in zip(first, again):
        _assert_same(batch, same)
        height, width = batch['image'].shape[1:3]
        assert (height, width) in {(32, 48), (64, 96)}
        assert batch['guide'].shape == (2, 224, 224, 3)
        assert batch['spatial_guide'].shape == batch['label'].shape == (2, height, width, 1)
        assert set(np.unique(batch['label'])) <= {0.0, 1.0}
        assert 0.0 <= batch['spatial_guide'].min() and batch['spatial_guide'].max() <= 1.0
        assert batch['image'].min() >= -123 and batch['image'].max() <= 151


def test_mirrored_replicas_see_the_global_batch():
    # tf.distribute feeds the elements of one input pipeline round-robin to its replicas; two
    # logical CPUs must be configured before TensorFlow starts, hence a fresh process.
    script = textwrap.dedent('''
        import sys
        import numpy as np, tensorflow as tf
        cpu = tf.config.list_physical_devices('CPU')[0]
        logical = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, logical)
        sys.path.insert(0, sys.argv[1])
        from test_loader import IndexDataset
        from osmnseg.datasets.loader import build_train_loader
        strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
        make = lambda: build_train_loader(IndexDataset(7), 4, 3, (0.5, 1.0), (8, 8),
                                          start_iter=1)
        distributed, single = make(), iter(make())
        iterator = distributed.distribute(strategy)
        for _ in range(3):
            parts = strategy.experimental_local_results(next(iterator)['image'])
            joined = np.concatenate([part.numpy() for part in parts])
            assert np.array_equal(joined, next(single)['image'].numpy())
        assert distributed.state() == {'iteration': 4}
        print('ok')
    ''')
    result = subprocess.run([sys.executable, '-c', script, os.path.dirname(__file__)],
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))
    assert result.stdout.strip().endswith('ok'), result.stderr[-2000:]
