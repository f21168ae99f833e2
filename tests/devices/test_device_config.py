"""device_config: the one precedence of every tool and API, --device > config > 'cpu'."""
from osmnseg.config import Config
from osmnseg.devices import device_config


def test_without_a_choice_the_config_decides_and_cpu_is_the_last_resort():
    assert device_config(Config(dict(device=dict(type='GPU', ids=[1])))) == dict(type='GPU',
                                                                                ids=[1])
    assert device_config(Config(dict(device='npu'))) == 'npu'
    assert device_config(Config(dict())) == 'cpu'
    assert device_config({}) == 'cpu'


def test_the_command_line_wins_and_keeps_the_options_of_the_same_type():
    cfg = Config(dict(device=dict(type='CPU', num_logical_devices=2)))
    assert device_config(cfg, 'gpu') == dict(type='GPU')
    assert device_config(cfg, 'cpu') == dict(type='CPU', num_logical_devices=2)
    assert device_config(Config(dict(device='gpu')), 'GPU') == 'gpu'
    assert device_config({}, 'npu') == dict(type='NPU')
