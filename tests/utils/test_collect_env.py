"""collect_env: the report's entries, its text form and the command-line entry points."""
import os
import runpy
import sys
import textwrap

import numpy as np
import tensorflow as tf

import osmnseg
from osmnseg.utils.collect_env import collect_env, env_report_text
from osmnseg.utils.machine import RELEVANT_CPU_FLAGS, read_cpu_info

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXPECTED_KEYS = ['Python', 'Platform', 'osmnseg', 'TensorFlow', 'TensorFlow build', 'Keras',
                 'NumPy', 'CPU devices', 'GPU devices', 'NPU adapter', 'CPU model', 'CPU cores',
                 'CPU flags', 'Fast bf16 on CPU', 'TF_ENABLE_ONEDNN_OPTS']


def test_collect_env_reports_versions_devices_and_cpu_features(monkeypatch):
    monkeypatch.setenv('TF_ENABLE_ONEDNN_OPTS', '0')
    env = collect_env()
    assert list(env) == EXPECTED_KEYS
    assert env['Python'].startswith(sys.version.split()[0])
    assert env['osmnseg'] == osmnseg.__version__
    assert env['TensorFlow'] == tf.__version__
    assert env['NumPy'] == np.__version__
    assert 'CPU:0' in env['CPU devices']
    assert env['CPU model'] == read_cpu_info()['model_name']
    assert env['CPU cores'].startswith(f'{os.cpu_count()} logical')
    flags = read_cpu_info()['flags']
    assert env['CPU flags'].split(', ') == [
        f'{flag}={"yes" if flag in flags else "no"}' for flag in RELEVANT_CPU_FLAGS]
    assert env['TF_ENABLE_ONEDNN_OPTS'] == '0'
    if not tf.sysconfig.get_build_info().get('is_cuda_build'):
        assert env['TensorFlow build'] == 'CPU only (no CUDA)'


def test_npu_adapter_entry_says_whether_it_is_installed(monkeypatch):
    assert collect_env()['NPU adapter'].startswith(('installed', 'not installed'))
    monkeypatch.setattr('importlib.util.find_spec',
                        lambda name: object() if name == 'npu_device' else None)
    assert collect_env()['NPU adapter'] == 'installed'


def test_report_text_has_one_aligned_line_per_entry():
    lines = env_report_text().splitlines()
    assert [line.split(' : ')[0].rstrip() for line in lines] == EXPECTED_KEYS
    assert len({line.index(' : ') for line in lines}) == 1


def test_tools_wrapper_prints_the_report(capsys):
    runpy.run_path(os.path.join(REPO, 'tools', 'misc', 'collect_env.py'), run_name='__main__')
    out = capsys.readouterr().out
    assert out.startswith('Python ') and f'TensorFlow            : {tf.__version__}' in out


def test_module_entry_point_leaves_tensorflow_configurable(run_subprocess):
    """A run logs the report first and configures its device afterwards: a fresh process."""
    script = textwrap.dedent("""
        import runpy
        import tensorflow as tf
        runpy.run_module('osmnseg.utils.collect_env', run_name='__main__')
        cpu = tf.config.list_physical_devices('CPU')[0]
        split = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, split)
        print('CONFIGURABLE', len(tf.config.list_logical_devices('CPU')))
        """)
    result = run_subprocess(['python', '-c', script], timeout=120)
    assert 'Fast bf16 on CPU' in result.stdout
    assert 'CONFIGURABLE 2' in result.stdout
