"""osmnseg/cli.py: the options the tools share take their choices from one list each, and
parsing them imports no TensorFlow."""
import argparse

import pytest

from osmnseg.cli import DEVICE_CHOICES, add_device_option, add_dtype_option
from osmnseg.registry import DEVICES
from osmnseg.utils.precision import PRECISIONS


def _parser(**dtype_options):
    parser = argparse.ArgumentParser()
    add_device_option(parser)
    add_dtype_option(parser, **dtype_options)
    return parser


def test_device_and_dtype_take_the_shared_names():
    args = _parser().parse_args(['--device', 'gpu', '--dtype', 'bfloat16'])
    assert (args.device, args.dtype) == ('gpu', 'bfloat16')
    assert _parser().parse_args([]).device is None and _parser().parse_args([]).dtype is None
    assert _parser(default='float32').parse_args([]).dtype == 'float32'
    assert PRECISIONS == ('float32', 'bfloat16', 'float16')


@pytest.mark.parametrize('argv', [['--dtype', 'int8'], ['--device', 'tpu']])
def test_other_names_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _parser().parse_args(argv)
    assert exit_info.value.code == 2 and 'invalid choice' in capsys.readouterr().err


def test_every_device_choice_is_a_registered_device():
    assert all(name in DEVICES for name in DEVICE_CHOICES)


def test_the_tools_parse_their_options_without_importing_tensorflow(run_subprocess):
    script = ('import sys, osmnseg.cli; '
              "print('heavy:', sorted(n for n in ('tensorflow', 'keras') if n in sys.modules))")
    result = run_subprocess(['python', '-c', script])
    assert result.stdout.strip().splitlines()[-1] == 'heavy: []'
