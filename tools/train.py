"""Train an OSMN model: ``python tools/train.py CONFIG [options]``.

Settings are taken from the command line first, then the config file, then the defaults below.
A work dir that already holds checkpoints is only trained into with ``--resume`` (continue) or
``--overwrite`` (start over; its checkpoints are replaced), see docs/refusals.md.
"""
import argparse
import os
import sys

from osmnseg.cli import add_config_options, add_debug_option, add_device_option, one_line_errors
from osmnseg.config import Config
from osmnseg.utils.errors import ConfigError, OutputError
from osmnseg.utils.paths import check_writable_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an OSMN video object segmentation model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='output folder (default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='continue a run: from WORK_DIR/last_checkpoint, or from PATH')
    parser.add_argument('--load-from', help='initialise weights only (native, original OSMN or '
                                            'TF-slim checkpoint); starts at iteration 0')
    parser.add_argument('--overwrite', action='store_true',
                        help='start a new run in a work dir that holds checkpoints (they are '
                             'replaced as the new run saves its own)')
    add_config_options(parser)
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: bf16 on CPUs with fast bf16, fp16 + loss scaling on GPU')
    add_device_option(parser, purpose='train on')
    parser.add_argument('--gpu-ids', type=int, nargs='+', help='GPU ids (with --device gpu)')
    parser.add_argument('--launcher', choices=['none', 'mirrored', 'multi_worker'], default='none',
                        help='none: the device as configured; mirrored: MirroredStrategy over '
                             'several local devices (--gpu-ids 0 1, or --cfg-options '
                             'device.num_logical_devices=2 on a CPU); multi_worker: one process '
                             'per machine, cluster in TF_CONFIG (docs/distributed.md)')
    parser.add_argument('--seed', type=int, help='random seed (default: config seed or 0)')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic TF ops (bit-exact resume)')
    parser.add_argument('--no-validate', action='store_true', help='skip validation during training')
    add_debug_option(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Apply the command line to the config (CLI > config file > default)."""
    if args.resume and args.load_from:
        raise ConfigError('--resume and --load-from were both given: --resume continues a run '
                          '(weights, optimizer, iteration), --load-from only initialises the '
                          'weights of a new run; pass one of them.')
    if args.device:
        from osmnseg.devices import device_config
        cfg.device = device_config(cfg, args.device)
    if args.gpu_ids:
        cfg.device['ids'] = args.gpu_ids
    cfg.merge_from_dict(args.cfg_options, strict=args.strict)  # after --device: its options stay
    config_name = os.path.splitext(os.path.basename(args.config))[0]
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or os.path.join('work_dirs', config_name)
    if args.resume:
        # --resume alone: the work dir's newest checkpoint, or a new run if it has none yet
        cfg.auto_resume = args.resume == 'auto'
        cfg.resume_from = cfg.work_dir if cfg.auto_resume else args.resume
    if args.load_from:
        cfg.load_from = args.load_from
    hooks = list(cfg.get('custom_hooks') or [])
    if args.amp and not any(h.get('type') == 'MixedPrecisionHook' for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='MixedPrecisionHook')]
    cfg.seed = args.seed if args.seed is not None else cfg.get('seed', 0)
    cfg.deterministic = args.deterministic or cfg.get('deterministic', False)
    cfg.validate = not args.no_validate
    return cfg


def check_work_dir(cfg, args):
    """Refuse a work dir that is a file, is read-only, or holds the checkpoints of another run
    that this new run (no ``--resume``) would replace, unless ``--overwrite``."""
    check_writable_dir(cfg.work_dir, '--work-dir')
    from osmnseg.models.checkpoint import holds_checkpoint

    if not (args.resume or args.overwrite) and holds_checkpoint(cfg.work_dir):
        raise OutputError(f'work dir {cfg.work_dir} already holds checkpoints of a run; pass '
                          '--resume to continue it, another --work-dir for a new run, or '
                          '--overwrite to start over there (its checkpoints will be replaced).')


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        cfg = merge_args(Config.fromfile(args.config), args)
        check_work_dir(cfg, args)
        from osmnseg.apis.train import train_segmentor
        try:
            train_segmentor(cfg, launcher=args.launcher)
        except KeyboardInterrupt as err:
            sys.exit(f'interrupted: {err}')


if __name__ == '__main__':
    main()
