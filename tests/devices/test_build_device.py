"""build_device: names, aliases, config dicts and command-line overrides."""
import pytest

from osmnseg.devices import CPU, GPU, NPU, build_device
from osmnseg.registry import DEVICES
from osmnseg.utils.errors import ConfigError, RegistryError


@pytest.mark.parametrize('name, cls', [('cpu', CPU), ('CPU', CPU), ('gpu', GPU), ('GPU', GPU),
                                       ('npu', NPU), ('NPU', NPU)])
def test_names_and_lowercase_aliases(name, cls):
    assert type(build_device(name)) is cls
    assert DEVICES.get(name) is cls


def test_config_dict_and_overrides():
    cfg = dict(type='CPU', intra_op_threads=2, inter_op_threads=1)
    device = build_device(cfg, inter_op_threads=3)
    assert (device.intra_op_threads, device.inter_op_threads) == (2, 3)
    assert cfg['inter_op_threads'] == 1  # the caller's config is not modified
    assert build_device('gpu', ids=[0, 1]).ids == (0, 1)
    assert repr(build_device('cpu')) == ('CPU(intra_op_threads=None, inter_op_threads=None, '
                                         'num_logical_devices=1)')


def test_unknown_device_name_suggests_the_closest():
    with pytest.raises(RegistryError, match=r"'tpu' is not in the device registry .*"
                       r"Did you mean '(npu|gpu|cpu)'\?"):
        build_device('tpu')


def test_device_must_be_a_name_or_dict():
    with pytest.raises(ConfigError, match="device must be a name"):
        build_device(3)
