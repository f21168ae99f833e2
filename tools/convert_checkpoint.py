"""Convert an original OSMN, TF-slim or DeepLab checkpoint into a native osmnseg checkpoint.

    python tools/convert_checkpoint.py models/osmn.ckpt-300000 \
        --config configs/osmn_vgg16_coco.py --out work_dirs/osmn_stage1 [--cfg-options ...]
    python tools/test.py configs/osmn_vgg16_davis2017.py work_dirs/osmn_stage1

The model is built from the config, the source is imported by name and shape (the table of
loaded / skipped / missing / unexpected variables is printed), and DIR receives
``iter_<N>.{index,data-*,json}`` and ``last_checkpoint``; N is the source's ``global_step``
(0 when it has none). The meta file records the config, the source path and its naming scheme.
"""
import argparse
import os

import tensorflow as tf

from osmnseg.cli import add_debug_option, load_config, one_line_errors
from osmnseg.config import DictAction
from osmnseg.models import build_segmentor
from osmnseg.models.checkpoint import (LAST_CHECKPOINT, holds_checkpoint, load_checkpoint,
                                       save_checkpoint)
from osmnseg.utils.errors import CheckpointError
from osmnseg.utils.logging import get_logger
from osmnseg.utils.paths import check_writable_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Import a foreign checkpoint into a model and save it as osmnseg checkpoint.')
    parser.add_argument('src', help='source checkpoint: prefix, file or model directory')
    parser.add_argument('--config', required=True, help='config file that builds the model')
    parser.add_argument('--out', required=True, help='output directory (a work dir)')
    parser.add_argument(
        '--cfg-options', action=DictAction, default={},
        help='override config keys, e.g. model.visual_modulator=None')
    parser.add_argument('--strict', action='store_true',
                        help='fail unless every model variable is loaded from SRC')
    parser.add_argument('--force', action='store_true',
                        help='write even if OUT already holds a checkpoint')
    add_debug_option(parser)
    return parser.parse_args(argv)


def source_iteration(prefix):
    """The ``global_step`` stored in a source checkpoint, 0 when it has none."""
    reader = tf.train.load_checkpoint(prefix)
    if reader.has_tensor('global_step'):
        return int(reader.get_tensor('global_step'))
    return 0


def convert(args, logger):
    """Build, import, save; return the written prefix."""
    check_writable_dir(args.out, '--out')
    if not args.force and holds_checkpoint(args.out):
        raise CheckpointError(f'{args.out} already holds a checkpoint; pass --force to add '
                              f'the converted one (it becomes {LAST_CHECKPOINT}).')
    cfg = load_config(args.config, args.cfg_options)
    model = build_segmentor(cfg.model)
    report = load_checkpoint(model, args.src, strict=args.strict, logger=logger)
    meta = dict(config=cfg.pretty_text, source_checkpoint=os.path.abspath(report.path),
                source_scheme=report.scheme,
                import_counts={key: len(getattr(report, key)) for key in
                               ('loaded', 'skipped_shape', 'missing', 'unexpected', 'ignored')})
    return save_checkpoint(args.out, source_iteration(report.path), model,
                           meta)


def main(argv=None):
    args = parse_args(argv)
    logger = get_logger()
    with one_line_errors(args):
        prefix = convert(args, logger)
    logger.info('wrote %s (+ .json meta); %s now points to it', prefix, LAST_CHECKPOINT)


if __name__ == '__main__':
    main()
