"""resume_from vs load_from on in-process runners (built and restored, never traced): what is
restored, the fallback from a corrupted checkpoint, and the errors."""
import os

import numpy as np
import pytest

from osmnseg.utils.errors import ConfigError
from runner_utils import build_tiny_runner, write_config


def _scramble(runner, seed):
    """Give weights, optimizer slots and LR distinctive values, as training would."""
    rng = np.random.default_rng(seed)
    for variable in list(runner.model.trainable_variables) + [
            v for v in runner.optimizer.variables if 'float' in str(v.dtype)]:
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))
    runner.optimizer.iterations.assign(seed)
    runner.optimizer.learning_rate.assign(1e-4 * seed)


def _state(runner):
    return dict(weights=[v.numpy() for v in runner.model.trainable_variables],
                slots=[v.numpy() for v in runner.optimizer.variables],
                lr=float(runner.optimizer.learning_rate.numpy()),
                optimizer_iterations=int(runner.optimizer.iterations.numpy()),
                iteration=runner.iter)


def _assert_same(state, expected):
    assert state['iteration'] == expected['iteration']
    assert state['lr'] == pytest.approx(expected['lr'])
    assert state['optimizer_iterations'] == expected['optimizer_iterations']
    for got, want in zip(state['weights'] + state['slots'],
                         expected['weights'] + expected['slots']):
        np.testing.assert_array_equal(got, want)


@pytest.fixture(scope='module')
def saved_run(tmp_path_factory, tiny_toyvos):
    """``(config, work_dir, {4: state, 6: state})``: checkpoints iter_4 and iter_6."""
    folder = tmp_path_factory.mktemp('saved_run')
    config = write_config(folder, tiny_toyvos)
    work_dir = str(folder / 'work_dir')
    runner = build_tiny_runner(config, work_dir)
    runner.prepare()
    states = {}
    for iteration in (4, 6):
        _scramble(runner, iteration)
        runner.set_iteration(iteration)
        runner.get_hook('CheckpointHook').save(runner)
        states[iteration] = _state(runner)
    return config, work_dir, states


def test_resume_restores_the_whole_state(saved_run, tmp_path):
    config, work_dir, states = saved_run
    runner = build_tiny_runner(config, tmp_path, resume_from=work_dir)
    runner.prepare()
    _assert_same(_state(runner), states[6])


def test_resume_from_a_checkpoint_path(saved_run, tmp_path):
    config, work_dir, states = saved_run
    runner = build_tiny_runner(config, tmp_path, resume_from=os.path.join(work_dir, 'iter_4'))
    runner.prepare()
    _assert_same(_state(runner), states[4])


def test_corrupted_latest_checkpoint_falls_back_with_a_warning(saved_run, tmp_path,
                                                               capture_logs):
    config, work_dir, states = saved_run
    copy = tmp_path / 'copy'
    copy.mkdir()
    for name in os.listdir(work_dir):
        if name.startswith(('iter_', 'last_checkpoint')):
            (copy / name).write_bytes(open(os.path.join(work_dir, name), 'rb').read())
    data = copy / 'iter_6.data-00000-of-00001'
    data.write_bytes(data.read_bytes()[:1000])  # truncated
    runner = build_tiny_runner(config, tmp_path / 'run', resume_from=str(copy))
    messages = capture_logs(runner)
    runner.prepare()
    _assert_same(_state(runner), states[4])
    warnings = [m for m in messages if m.startswith('WARNING') and 'iter_6' in m]
    assert warnings and 'cannot be read' in warnings[0] and 'previous checkpoint' in warnings[0]


def test_load_from_takes_weights_only(saved_run, tmp_path, capture_logs):
    config, work_dir, states = saved_run
    runner = build_tiny_runner(config, tmp_path, load_from=work_dir)
    messages = capture_logs(runner)
    runner.prepare()
    state = _state(runner)
    for got, want in zip(state['weights'], states[6]['weights']):
        np.testing.assert_array_equal(got, want)
    assert state['iteration'] == 0 and state['optimizer_iterations'] == 0
    assert all(not np.any(v) for v in state['slots'][2:])  # fresh moments
    assert any('starting at iteration 0 with a fresh optimizer' in m for m in messages)


def test_resume_and_load_from_together_is_an_error(saved_run, tmp_path):
    config, work_dir, _ = saved_run
    with pytest.raises(ConfigError, match='both resume_from .* and load_from .* are set'):
        build_tiny_runner(config, tmp_path, resume_from=work_dir, load_from=work_dir)


def test_auto_resume_without_checkpoint_starts_a_new_run_from_load_from(saved_run, tmp_path,
                                                                        capture_logs):
    config, work_dir, states = saved_run
    runner = build_tiny_runner(config, tmp_path, resume_from=str(tmp_path / 'empty'),
                               auto_resume=True, load_from=work_dir)
    messages = capture_logs(runner)
    runner.prepare()
    assert runner.iter == 0
    np.testing.assert_array_equal(runner.model.trainable_variables[0].numpy(),
                                  states[6]['weights'][0])
    assert any('holds no checkpoint yet; starting a new run' in m for m in messages)


def test_auto_resume_ignores_load_from_when_resuming(saved_run, tmp_path, capture_logs):
    config, work_dir, states = saved_run
    runner = build_tiny_runner(config, tmp_path, resume_from=work_dir, auto_resume=True,
                               load_from='/nonexistent/vgg_16.ckpt')
    messages = capture_logs(runner)
    runner.prepare()
    _assert_same(_state(runner), states[6])
    assert any('load_from (/nonexistent/vgg_16.ckpt) is not used' in m for m in messages)


def test_load_from_an_original_osmn_checkpoint(tmp_path, tiny_toyvos, capture_logs):
    """A name-based checkpoint as the original OSMN (TF1 Saver) wrote it, with its Adam slots
    and global step: the weights are imported by name, the training state is ignored."""
    import tensorflow as tf
    config = write_config(tmp_path, tiny_toyvos)
    source = build_tiny_runner(config, tmp_path / 'source')
    rng = np.random.default_rng(3)
    tensors = {name: (v.numpy() if '-up' in name else
                      (0.1 * rng.standard_normal(v.shape)).astype(np.float32))
               for name, v in source.model.reference_variables().items()}
    tensors.update({'global_step': np.int64(300000), 'beta1_power': np.float32(0.9)})
    prefix = str(tmp_path / 'osmn.ckpt-300000')
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[''] * len(names),
                      tensors=[tf.constant(tensors[name]) for name in names])
    runner = build_tiny_runner(config, tmp_path / 'run', load_from=prefix)
    messages = capture_logs(runner)
    runner.prepare()
    assert runner.iter == 0 and int(runner.optimizer.iterations.numpy()) == 0
    for name, variable in runner.model.reference_variables().items():
        np.testing.assert_array_equal(variable.numpy(), tensors[name])
    assert any(f'initialised the weights from {prefix}' in m for m in messages)


def test_pretrained_weights_refuse_a_pipeline_that_normalises_otherwise():
    """The runner asks each split's pipeline how it normalises (no step names are matched) and
    refuses before any weight is read."""
    from types import SimpleNamespace

    from osmnseg.config import Config
    from osmnseg.runner.restore import initialise_pretrained

    def init_weights():
        raise AssertionError('weights were read before the check')

    init_cfg = dict(type='Pretrained', checkpoint='absent.ckpt', prefix='MobilenetV1')
    model = SimpleNamespace(init_cfgs={'backbone': init_cfg}, init_weights=init_weights)
    cfg = Config(dict(data=dict(train=dict(pipeline=[dict(type='Normalize', mode='rgb_unit')]),
                                val=dict(pipeline=[dict(type='LoadFrame'),
                                                   dict(type='Normalize')]))))
    with pytest.raises(ConfigError, match=r"data\.val\.pipeline normalises with "
                                          r"mode='mean_subtract'; set mode='rgb_unit'"):
        initialise_pretrained(SimpleNamespace(model=model, cfg=cfg))
