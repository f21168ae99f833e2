"""Benchmark an OSMN model: ``python tools/benchmark.py CONFIG [options]``.

    python tools/benchmark.py configs/_base_/models/osmn_vgg16.py --dtype bfloat16 --objects 3
    python tools/benchmark.py configs/osmn_vgg16_davis2017.py --train --size 400x400 --batch-size 4
    python tools/benchmark.py configs/_base_/models/osmn_mobilenet_v1.py --video-frames 1000
    python tools/benchmark.py configs/osmn_vgg16_toyvos.py --checkpoint work_dirs/x --agreement
    python tools/benchmark.py --compare-original ../video_seg   # needs pip install -e ".[compare]"

Modes: per-frame inference (default), ``--train`` (training iterations), ``--video-frames N``
(RSS over a generated video run through VideoSegmenter), ``--end-to-end`` (the config's test
set through tools/test.py's frame loop beside the model alone) and ``--agreement`` (masks of --dtype
against float32 on the config's val set), and ``--compare-original PATH`` (the ratio table
osmnseg / original OSMN code, run side by side in this process from a checkout of
linjieyangsc/video_seg; no CONFIG, the models are configs/_base_/models/ of this repository).
Results are printed as a table and, with --json, written to a file; docs/benchmark.md explains
every figure.
"""
import argparse
import os
import re

from osmnseg.cli import (add_config_options, add_debug_option, add_device_option,
                         add_dtype_option, load_config, one_line_errors)

DEFAULT_SIZE = {'inference': (480, 854), 'train': (400, 400), 'video': (480, 854)}
MODEL_CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'configs',
                             '_base_', 'models')
COMPARE_CONFIGS = {'osvos': 'osmn_vgg16.py', 'lite': 'osmn_mobilenet_v1.py'}


def parse_size(text):
    """``'480x854'`` -> ``(480, 854)`` (height x width, positive integers)."""
    match = re.fullmatch(r'\s*(\d+)\s*[xX]\s*(\d+)\s*', text)
    if not match or min(int(match.group(1)), int(match.group(2))) <= 0:
        raise argparse.ArgumentTypeError(f"size '{text}' is not HEIGHTxWIDTH with positive "
                                         'integers, e.g. 480x854')
    return int(match.group(1)), int(match.group(2))


def positive_int(text):
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive integer")
    return int(text)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Benchmark speed and memory of an OSMN model')
    parser.add_argument('config', nargs='?',
                        help='config file path (a model config is enough for inference; none '
                             'with --compare-original)')
    parser.add_argument('--checkpoint', help='weights to load (default: random initialisation)')
    parser.add_argument('--size', type=parse_size,
                        help='HEIGHTxWIDTH (default: 480x854; 400x400 with --train)')
    parser.add_argument('--objects', type=positive_int, default=1, help='objects per frame')
    add_dtype_option(parser, help_text="compute dtype (default: the device's precision, bf16 on "
                                       'CPUs with native bf16)')
    parser.add_argument('--frames', type=positive_int, default=10, help='timed frames/iterations')
    parser.add_argument('--warmup', type=positive_int, default=2,
                        help='untimed frames/iterations first (the first traces)')
    parser.add_argument('--peak-repeats', type=positive_int, default=5,
                        help='reference convolutions timed before the model (and one after '
                             'every frame/iteration)')
    parser.add_argument('--compare-objects', type=positive_int, metavar='K0',
                        help='also time K0-object frames, interleaved, and report the time '
                             'ratio --objects / K0 (e.g. --objects 3 --compare-objects 1)')
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--train', action='store_true', help='benchmark training iterations')
    mode.add_argument('--video-frames', type=positive_int, metavar='N',
                      help='memory mode: VideoSegmenter over a generated N-frame video')
    mode.add_argument('--end-to-end', action='store_true',
                      help="the config's data.test (--split) through the whole frame loop of "
                           'tools/test.py (PNGs into a temporary folder, no scoring) and the '
                           'model alone at the test size, same dtype, same run: the ratio')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='--end-to-end: which data set of the config')
    mode.add_argument('--agreement', action='store_true',
                      help='mask agreement (J per frame) of --dtype against float32 on '
                           'data.val: on its own, given float32\'s guides, and a float32 '
                           'control with weights rounded to --dtype')
    mode.add_argument('--compare-original', metavar='PATH',
                      help='time the original OSMN code (a linjieyangsc/video_seg checkout at '
                           'PATH; needs pip install -e ".[compare]") and osmnseg side '
                           'by side: osvos 480x854 and lite 480x864 per frame, lite training '
                           'step; --size replaces every size, --dtype adds an osmnseg column')
    parser.add_argument('--batch-size', type=positive_int,
                        help='training batch size (default: data.samples_per_gpu or 4)')
    parser.add_argument('--data', choices=['synthetic', 'config'], default='synthetic',
                        help="training batches: random tensors, or the config's data.train "
                             'through build_train_loader')
    add_device_option(parser)
    parser.add_argument('--json', metavar='FILE', help='also write the results to FILE')
    parser.add_argument('--profile', metavar='DIR',
                        help='inference / --train: after the timed frames, run 3 more under '
                             "TensorFlow's profiler and write the trace into DIR (a new "
                             'timestamped folder; open it with TensorBoard or xprof); with '
                             '`pip install xprof` the thread time per op type is printed too')
    parser.add_argument('--kernel-floor', action='store_true',
                        help='--train: also time every op of the step alone (in its dtype and '
                             'in the other of float32 / bfloat16) and print their sum, the '
                             'time the step would take with no gaps between its kernels; run '
                             'with TF_NUM_INTRAOP_THREADS=1 it also prints a lower bound (the '
                             'sum over the cores)')
    add_config_options(parser)
    add_debug_option(parser)
    args = parser.parse_args(argv)
    if args.data == 'config' and not args.train:
        parser.error('--data config only applies to --train.')
    if args.agreement and not args.checkpoint:
        parser.error('--agreement compares trained masks: give --checkpoint.')
    args.mode = ('train' if args.train else 'video' if args.video_frames else
                 'agreement' if args.agreement else 'compare' if args.compare_original else
                 'end_to_end' if args.end_to_end else 'inference')
    if args.end_to_end and not args.checkpoint:
        parser.error('--end-to-end segments real frames: give --checkpoint.')
    if args.split != 'test' and not args.end_to_end:
        parser.error('--split applies to --end-to-end.')
    if args.mode == 'compare':
        if args.config:
            parser.error('--compare-original times the repository\'s own model configs '
                         f'({", ".join(COMPARE_CONFIGS.values())}); give no CONFIG.')
        if args.checkpoint or args.objects != 1:
            parser.error('--compare-original runs random weights and one object; drop '
                         '--checkpoint and --objects.')
        if not os.path.isdir(args.compare_original):
            parser.error(f'--compare-original {args.compare_original} is not a folder.')
    elif not args.config:
        parser.error('the config argument is required (except with --compare-original).')
    if args.profile and args.mode not in ('inference', 'train'):
        parser.error('--profile applies to the inference benchmark and to --train.')
    if args.kernel_floor and args.mode != 'train':
        parser.error('--kernel-floor applies to --train.')
    if args.compare_objects and args.mode != 'inference':
        parser.error('--compare-objects only applies to the inference benchmark.')
    if args.size is None:
        args.size = DEFAULT_SIZE.get(args.mode)
    if args.json and os.path.isdir(args.json):
        parser.error(f'--json {args.json} is a folder; give a file name such as '
                     f'{os.path.join(args.json, "benchmark.json")}.')
    return args


def run(cfg, args):
    """Run the benchmark mode of ``args`` on ``cfg``; returns the results dict."""
    from osmnseg.apis import InferenceSettings, init_segmentor
    from osmnseg.benchmark import ConvPeak
    from osmnseg.datasets.pipelines import visual_guide_size
    from osmnseg.devices import build_device, device_config

    from osmnseg.apis.inference.model import inference_precision

    device = build_device(device_config(cfg or {}, args.device))
    dtype = args.dtype or (device.default_precision('train') if args.train else
                           inference_precision(cfg or {}, device)[0])
    if args.mode == 'compare':
        from osmnseg.benchmark.compare import compare_with_original
        configs = {key: load_config(os.path.join(MODEL_CONFIGS, name), args.cfg_options,
                                    args.strict) for key, name in COMPARE_CONFIGS.items()}
        # float32 always (the original's precision), plus --dtype or the device's precision
        dtypes = ['float32'] + [d for d in [args.dtype or device.default_precision('inference')]
                                if d != 'float32']
        return compare_with_original(args.compare_original, configs, dtypes, args.size,
                                     args.frames, args.warmup, args.peak_repeats,
                                     args.batch_size or 4, device)
    if args.mode == 'agreement':
        from osmnseg.benchmark.agreement import mask_agreement
        return mask_agreement(cfg, args.checkpoint, dtype, device=device)
    if args.mode == 'train':
        from osmnseg.benchmark import training
        batch_size = args.batch_size or (cfg.get('data') or {}).get('samples_per_gpu') or 4
        guide_size = visual_guide_size(cfg.get('data', {}).get('train', {}).get('pipeline'))
        batches = (training.config_batches(cfg, batch_size, args.size) if args.data == 'config'
                   else training.synthetic_batches(batch_size, args.size,
                                                   guide_size=guide_size))
        model, step = training.build_training(cfg, dtype, device)
        if args.checkpoint:
            from osmnseg.models import load_checkpoint
            load_checkpoint(model, args.checkpoint)
        return dict(training.benchmark_training(
            model, step, batches, batch_size, args.size, args.frames, args.warmup,
            ConvPeak(dtype), args.peak_repeats, guide_size, args.profile,
            floor=args.kernel_floor), data=args.data)
    model = init_segmentor(cfg, args.checkpoint, device=device, dtype=dtype)
    if args.mode == 'end_to_end':
        from osmnseg.benchmark.end_to_end import benchmark_end_to_end
        return benchmark_end_to_end(model, cfg, args.split, args.frames, args.size)
    if args.mode == 'video':
        from osmnseg.benchmark.video import benchmark_video_memory
        return benchmark_video_memory(model, InferenceSettings.from_config(cfg),
                                      args.video_frames, args.size, args.objects)
    from osmnseg.benchmark.inference import benchmark_inference
    return benchmark_inference(model, args.size, args.objects, args.frames, args.warmup,
                               ConvPeak(dtype), args.peak_repeats, args.compare_objects,
                               InferenceSettings.from_config(cfg).guide_size, args.profile)


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        from osmnseg.benchmark import (kernel_floor_table, machine_info, profile_table,
                                       results_table, write_json)
        from osmnseg.utils.paths import check_writable_dir

        if args.json:  # before the benchmark runs, not after
            check_writable_dir(os.path.dirname(os.path.abspath(args.json)), '--json folder')
        if args.profile:
            check_writable_dir(args.profile, '--profile')
        cfg = (None if args.mode == 'compare' else
               load_config(args.config, args.cfg_options, args.strict))
        result = dict(run(cfg, args), config=args.config, machine=machine_info(),
                      cfg_options={k: repr(v) for k, v in args.cfg_options.items()})
        if args.mode == 'compare':
            from osmnseg.benchmark.compare import compare_table
            print(compare_table(result))
        else:
            print(results_table(result))
        if result.get('profile'):
            print(profile_table(result['profile']))
        if result.get('kernel_floor'):
            print(kernel_floor_table(result['kernel_floor']))
        if args.json:
            write_json(args.json, result)
            print(f'wrote {args.json}')
        return result


if __name__ == '__main__':
    main()
