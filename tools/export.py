"""Export a trained OSMN for serving: ``python tools/export.py CONFIG CHECKPOINT --format
{savedmodel,onnx,tflite} [--quantize {fp16,int8}] --out EXPORT_DIR``.

    python tools/export.py configs/osmn_match_mobilenet_v1_davis2016.py \\
        work_dirs/osmn_match_mobilenet_v1_davis2016 --format onnx --out exported/match_onnx
    python -m osmnseg.runtime exported/match_onnx --frames clip/ --mask clip_00000.png --out masks/

Writes the per-object encoder and the per-frame step as graphs (``encode_guide`` +
``segment_frame``, or ``embed_frame`` + ``track_frame`` for matching models; see
``osmnseg.export.graphs``) and ``osmnseg_export.json``, the settings the frame loop needs.
``savedmodel``: one TensorFlow SavedModel with free frame sizes (TF Serving). ``onnx`` (needs
``pip install -e ".[onnx]"``) and ``tflite`` (``".[litert]"``): float32 graphs fixed to the
config's test size (``--size HxW`` to choose another), run by ``python -m osmnseg.runtime``.
``--quantize int8`` calibrates on the first frames of the config's training sequences
(``data.train``); ``fp16`` (tflite) stores float16 weights. docs/deploy.md has the details.

Refused with one ``error:`` line: an EXPORT_DIR that is a file, read-only or not empty; a
quantisation the format does not offer; a missing converter package (the message names the
extra); an op the format cannot express (the message names the op and the layer).
"""
import argparse
import os

from osmnseg.cli import (add_config_options, add_debug_option, add_dtype_option, load_config,
                         one_line_errors)
from osmnseg.utils.errors import ConfigError, OutputError
from osmnseg.utils.paths import check_writable_dir

FORMATS = ('savedmodel', 'onnx', 'tflite')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Export an OSMN model (SavedModel, ONNX or '
                                     'LiteRT) with the settings of its frame loop')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    parser.add_argument('--format', choices=FORMATS, default='savedmodel',
                        help='savedmodel (TensorFlow), onnx or tflite (LiteRT)')
    parser.add_argument('--quantize', choices=('fp16', 'int8'),
                        help='int8 (onnx, tflite; calibrated on training frames) or fp16 '
                             '(tflite weights)')
    parser.add_argument('--out', required=True, help='export folder to create (must be empty)')
    parser.add_argument('--size', help='working size HxW of onnx / tflite graphs (default: the '
                        'config\'s test size)')
    add_dtype_option(parser, default='float32', help_text='compute dtype inside a SavedModel '
                     '(inputs/outputs stay float32; onnx and tflite graphs are float32)')
    parser.add_argument('--calibration-frames', type=int, default=32,
                        help='int8: training frames that calibrate the activation ranges')
    add_config_options(parser)
    add_debug_option(parser)
    return parser.parse_args(argv)


def parse_size(text):
    """``(H, W)`` of ``--size HxW`` (``None`` when not given)."""
    if text is None:
        return None
    height, _, width = text.lower().partition('x')
    if not (height.isdigit() and width.isdigit() and int(height) > 0 and int(width) > 0):
        raise ConfigError(f'--size {text} is not HxW with positive whole numbers; give e.g. '
                          '384x672.')
    return int(height), int(width)


def calibration_sequences(cfg):
    """The training sequences of ``cfg.data.train`` (int8 calibration)."""
    from osmnseg.datasets import build_dataset

    dataset = build_dataset(dict(cfg.data.train, test_mode=True), key='data.train')
    if not hasattr(dataset, 'sequences'):
        raise ConfigError(f'--quantize int8 calibrates on video sequences, but data.train is a '
                          f'{type(dataset).__name__}; point data.train at a video data set.')
    return dataset.sequences()


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        from osmnseg.apis import InferenceSettings, init_segmentor
        from osmnseg.export import export_model

        check_writable_dir(args.out, '--out')
        if os.path.isdir(args.out) and os.listdir(args.out):
            raise OutputError(f'--out {args.out} exists and is not empty; choose a new folder '
                              '(an export is never written over other files).')
        size = parse_size(args.size)
        if args.calibration_frames < 1:
            raise ConfigError(f'--calibration-frames {args.calibration_frames} must be at least '
                              '1 (int8 calibrates on that many training frames).')
        cfg = load_config(args.config, args.cfg_options, args.strict)
        model = init_segmentor(cfg, args.checkpoint, dtype=args.dtype)
        calibration = calibration_sequences(cfg) if args.quantize == 'int8' else None
        os.makedirs(args.out, exist_ok=True)
        manifest = export_model(model, InferenceSettings.from_config(cfg), args.out,
                                args.format, args.quantize, size, calibration,
                                args.calibration_frames)
    print(f'{args.format} export with graphs {", ".join(sorted(manifest.graphs))} written to '
          f'{args.out}')
    return args.out


if __name__ == '__main__':
    main()
