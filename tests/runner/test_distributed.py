"""Distributed training with tools/train.py on this CPU: MirroredStrategy over two logical CPU
devices, and MultiWorkerMirroredStrategy with two worker processes on localhost ports.
(The per-replica gradient arithmetic is checked on a stand-in in test_train_step.py.)"""
import json
import os
import socket
import time

import pytest

from runner_utils import read_json_log, text_log, train_args, write_config

SHORT = """
runner = dict(max_iters=3)
checkpoint_config = dict(interval=2, max_keep=2)
log_config = dict(interval=1, image_interval=2)
"""


def _checkpoints(work_dir):
    return sorted(n for n in os.listdir(work_dir) if n.endswith('.index'))


def test_mirrored_over_two_logical_cpus(tmp_path, tiny_toyvos, run_subprocess):
    config = write_config(tmp_path, tiny_toyvos, SHORT)
    work_dir = str(tmp_path / 'work_dir')
    run_subprocess(train_args(config, work_dir, '--launcher', 'mirrored', '--device', 'cpu',
                              '--cfg-options', 'device.num_logical_devices=2'))
    log = text_log(work_dir)
    assert 'strategy: MirroredStrategy with 2 replica(s)' in log
    assert 'batch 4 = 2 per replica x 2 replica(s)' in log
    assert [r['iter'] for r in read_json_log(work_dir)] == [1, 2, 3]
    assert _checkpoints(work_dir) == ['iter_2.index', 'iter_3.index']


def test_launcher_errors(monkeypatch):
    """--launcher mirrored on one device, multi_worker without TF_CONFIG: one clear line."""
    from osmnseg.apis.train import build_strategy
    from osmnseg.devices import build_device
    from osmnseg.utils.errors import ConfigError
    with pytest.raises(ConfigError) as error:
        build_strategy(build_device('cpu'), 'mirrored')
    assert str(error.value) == (
        '--launcher mirrored found a single device: pass several GPUs (--gpu-ids 0 1) or '
        'split the CPU with --cfg-options device.num_logical_devices=2.')
    monkeypatch.delenv('TF_CONFIG', raising=False)
    with pytest.raises(ConfigError, match='needs the cluster in the TF_CONFIG'):
        build_strategy(build_device('cpu'), 'multi_worker')


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(('localhost', 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_multi_worker_on_localhost(tmp_path, tiny_toyvos, start_subprocess):
    config = write_config(tmp_path, tiny_toyvos, SHORT)
    work_dir = str(tmp_path / 'work_dir')
    workers = [f'localhost:{port}' for port in _free_ports(2)]
    processes = []
    for index in range(2):
        tf_config = json.dumps(dict(cluster=dict(worker=workers),
                                    task=dict(type='worker', index=index)))
        processes.append(start_subprocess(
            train_args(config, work_dir, '--launcher', 'multi_worker'),
            name=f'worker{index}', TF_CONFIG=tf_config))
    deadline = time.monotonic() + 600
    while any(p.poll() is None for p in processes) and time.monotonic() < deadline:
        if any(p.poll() not in (None, 0) for p in processes):
            break  # one failed: the other would wait for it forever
        time.sleep(0.5)
    outputs = [open(p.output_path).read() for p in processes]
    assert [p.poll() for p in processes] == [0, 0], '\n\n'.join(o[-3000:] for o in outputs)

    log = text_log(work_dir)  # the chief's (worker 0) *.log; worker 1 writes *.worker1.log
    assert 'launcher: multi_worker' in log and 'with 2 replica(s)' in log
    assert 'batch 4 = 2 per replica x 2 replica(s)' in log
    names = os.listdir(work_dir)
    assert len([n for n in names if n.endswith('.worker1.log')]) == 1
    assert len([n for n in names if n.endswith('.log.json')]) == 1  # the chief's only
    assert [r['iter'] for r in read_json_log(work_dir)] == [1, 2, 3]
    # checkpoints by the chief only; the other worker's scratch copies are gone
    assert _checkpoints(work_dir) == ['iter_2.index', 'iter_3.index']
    assert not [n for n in names if 'scratch' in n]
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == 'iter_3\n'

