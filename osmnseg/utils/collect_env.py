"""What this machine runs: versions, devices and CPU features, for bug reports and run logs.

    python -m osmnseg.utils.collect_env

Listing physical devices does not initialise the TensorFlow runtime, so a run may log this
report first and configure its device afterwards.
"""
import importlib.util
import os
import platform
import sys
from collections import OrderedDict

import numpy as np
import tensorflow as tf

import osmnseg
from osmnseg.utils.machine import (NPU_ADAPTER_MODULE, RELEVANT_CPU_FLAGS, cpu_has_fast_bf16,
                                   npu_adapter_installed, read_cpu_info)


def collect_env():
    """Collect the environment as an ordered ``{name: text}`` dict."""
    env = OrderedDict()
    env['Python'] = sys.version.replace('\n', ' ')
    env['Platform'] = platform.platform()
    env['osmnseg'] = osmnseg.__version__
    env['TensorFlow'] = tf.__version__
    env['TensorFlow build'] = _tf_build_text()
    env['Keras'] = _keras_version()
    env['NumPy'] = np.__version__
    env['CPU devices'] = _device_names('CPU')
    env['GPU devices'] = _device_names('GPU')
    env['NPU adapter'] = ('installed' if npu_adapter_installed()
                          else f'not installed (no {NPU_ADAPTER_MODULE} module)')
    cpu = read_cpu_info()
    env['CPU model'] = cpu['model_name']
    env['CPU cores'] = _core_count_text()
    env['CPU flags'] = ', '.join(
        f'{flag}={"yes" if flag in cpu["flags"] else "no"}' for flag in RELEVANT_CPU_FLAGS)
    env['Fast bf16 on CPU'] = 'yes' if cpu_has_fast_bf16(cpu['flags']) else 'no'
    env['TF_ENABLE_ONEDNN_OPTS'] = os.environ.get('TF_ENABLE_ONEDNN_OPTS',
                                                  'unset (oneDNN on by default on x86 Linux)')
    return env


def env_report_text():
    """The environment as a text block, one ``name: value`` line per entry, for logs."""
    env = collect_env()
    width = max(len(name) for name in env)
    return '\n'.join(f'{name:<{width}} : {value}' for name, value in env.items())


def _tf_build_text():
    info = tf.sysconfig.get_build_info()
    if info.get('is_cuda_build'):
        return (f"CUDA {info.get('cuda_version', '?')}, cuDNN {info.get('cudnn_version', '?')}")
    if info.get('is_rocm_build'):
        return f"ROCm {info.get('rocm_version', '?')}"
    return 'CPU only (no CUDA)'


def _keras_version():
    spec = importlib.util.find_spec('keras')
    if spec is None:
        return 'not installed'
    import keras  # only when present; TF 2.16+ depends on Keras 3 but does not import it
    return keras.__version__


def _device_names(device_type):
    devices = tf.config.list_physical_devices(device_type)
    if not devices:
        return 'none'
    return ', '.join(d.name.replace('/physical_device:', '') for d in devices)


def _core_count_text():
    usable = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None
    text = f'{os.cpu_count()} logical'
    return text if usable in (None, os.cpu_count()) else f'{text}, {usable} usable by this process'


if __name__ == '__main__':
    print(env_report_text())
