"""Print a config with its bases and overrides merged, as the Python file it amounts to.

    python tools/misc/print_config.py configs/osmn_vgg16_davis2017.py \
        --cfg-options model.backbone.frozen_stages=2 data.train.pipeline.1.scale=0.5 [--strict]
"""
import argparse
import sys

from osmnseg.config import Config, DictAction
from osmnseg.utils.errors import OsmnsegError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Print the fully merged config.')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options', action=DictAction, default={},
        help='override config keys, e.g. model.backbone.frozen_stages=2 '
             'data.train.pipeline.1.scale=0.5 optimizer.betas="(0.9,0.99)"; '
             'may be given several times')
    parser.add_argument('--strict', action='store_true',
                        help='an unknown key in --cfg-options is an error instead of a new key')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        cfg = Config.fromfile(args.config)
        cfg.merge_from_dict(args.cfg_options, strict=args.strict)
        print(cfg.pretty_text, end='')
    except OsmnsegError as err:
        sys.exit(f'print_config: {err}')


if __name__ == '__main__':
    main()
