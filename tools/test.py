"""Test an OSMN model on a data set: ``python tools/test.py CONFIG CHECKPOINT [options]``.

    python tools/test.py configs/osmn_vgg16_davis2017.py work_dirs/osmn_vgg16_davis2017 \\
        --eval J F mIoU --out results/davis17 --show-dir vis/davis17

CHECKPOINT may be a work dir (its ``last_checkpoint``), a checkpoint prefix, or an original OSMN
/ TF-slim checkpoint. Settings: command line first, then the config file. The evaluation
record (``global_results_<stamp>.csv``, ``per-sequence_results_<stamp>.csv``,
``eval_<stamp>.json``, one stamp per run) goes to ``--work-dir``, by default the folder of the
checkpoint. ``--out`` and ``--show-dir`` must be new or result-free folders (``--overwrite``
allows replacing results) and must differ; see docs/refusals.md. Scoring and packaging are the
config's ``test_evaluator`` (``val_evaluator`` with ``--split val``; without one, the data set's
``default_evaluator``), computing the ``--eval`` figures.
"""
import argparse
import os

from osmnseg.cli import (add_config_options, add_debug_option, add_device_option,
                         add_dtype_option, load_config, one_line_errors)

OUTPUT_ACTIONS = '--eval, --out, --format-only, --save-score or --show-dir'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and evaluate) an OSMN model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    parser.add_argument('--eval', nargs='+', choices=['J', 'F', 'J&F', 'mIoU'],
                        help='metrics: J/F/J&F = DAVIS protocol, mIoU = original davis_eval.py')
    parser.add_argument('--out', help='folder for the result palette PNGs (<seq>/<frame>.png)')
    parser.add_argument('--overwrite', action='store_true',
                        help='allow --out / --show-dir to be folders that already hold results')
    parser.add_argument('--format-only', action='store_true',
                        help='only write results (YouTube-VOS: Annotations/ + submission.zip)')
    parser.add_argument('--save-score', action='store_true',
                        help='also write per-object probabilities <out>/<seq>/<id>/<frame>.npy')
    parser.add_argument('--score-dtype', choices=['float32', 'float16'], default='float32',
                        help='dtype of the saved probabilities')
    parser.add_argument('--show-dir', help='folder for overlay PNGs and one GIF per sequence')
    parser.add_argument('--online-finetune', type=int, metavar='ITERS',
                        help="fine-tune on each object's first frame for ITERS steps (README: 100)")
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='which data set of the config to use (data.test or data.val)')
    add_device_option(parser)
    add_dtype_option(parser)
    add_config_options(parser)
    parser.add_argument('--work-dir', help='folder for the CSVs and eval json '
                                           '(default: the folder of the checkpoint)')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    add_debug_option(parser)
    args = parser.parse_args(argv)
    if not (args.eval or args.out or args.format_only or args.save_score or args.show_dir):
        parser.error(f'nothing to do: give at least one of {OUTPUT_ACTIONS}.')
    if args.format_only and args.eval:
        parser.error('--format-only writes results without scoring them; drop --eval or it.')
    if (args.format_only or args.save_score) and not args.out:
        parser.error('--format-only and --save-score write into --out; give --out DIR.')
    return args


def default_work_dir(checkpoint):
    """The folder the evaluation record goes to: the checkpoint's folder."""
    checkpoint = os.path.abspath(checkpoint)
    return checkpoint if os.path.isdir(checkpoint) else os.path.dirname(checkpoint)


def build_segmenter(cfg, args):
    """Model (weights, dtype, device) and segmenter (optionally fine-tuning online)."""
    from osmnseg.apis import InferenceSettings, VideoSegmenter, init_segmentor
    from osmnseg.apis.inference.model import inference_precision
    from osmnseg.apis.online_finetune import OnlineFinetuner
    from osmnseg.devices import build_device, device_config

    device = device_config(cfg, args.device)
    model = init_segmentor(cfg, args.checkpoint, device=device, dtype=args.dtype)
    reason = '--dtype' if args.dtype else inference_precision(cfg, build_device(device))[1]
    print(f'compute dtype {model.compute_dtype.name} ({reason})')
    finetuner = None
    if args.online_finetune is not None:
        finetuner = OnlineFinetuner.from_config(model, cfg, args.online_finetune,
                                                seed=cfg.get('seed', 0))
    segmenter = VideoSegmenter(model, InferenceSettings.from_config(cfg), finetuner)
    if finetuner is None:
        print(f'model traced in {segmenter.warm_up():.1f} s, before the first frame is read')
    return segmenter


def report(cfg, args, results):
    """Print the tables and write the CSVs and the eval json."""
    from osmnseg.evaluation import (eval_json_name, per_object_table, run_stamp, summary_table,
                                    write_csvs, write_eval_json)

    work_dir = args.work_dir or default_work_dir(args.checkpoint)
    stamp = run_stamp(work_dir)
    extra = {'mIoU': results.miou} if results.miou is not None else None
    if results.davis is not None:
        print(summary_table(results.davis))
        print(per_object_table(results.davis))
        for path in write_csvs(work_dir, results.davis, stamp):
            print(f'wrote {path}')
    if results.miou is not None:
        print(f'mIoU (original OSMN evaluation): {100 * results.miou:.1f}')
    json_path = os.path.join(work_dir, eval_json_name(stamp))
    write_eval_json(json_path, cfg.filename, results.davis, results.timing, extra)
    print(f'wrote {json_path}')


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        from osmnseg.apis.test import check_output_dirs, evaluate_dataset
        from osmnseg.datasets import build_dataset
        from osmnseg.evaluation import build_evaluator
        from osmnseg.utils.paths import check_writable_dir

        cfg = load_config(args.config, args.cfg_options, args.strict)
        check_output_dirs(args.out, args.show_dir, args.overwrite)
        if args.eval:
            check_writable_dir(args.work_dir or default_work_dir(args.checkpoint), '--work-dir')
        dataset_cfg = dict(cfg.data[args.split], test_mode=True)
        dataset = build_dataset(dataset_cfg, key=f'data.{args.split}')
        key = f'{args.split}_evaluator'
        evaluator = build_evaluator(cfg.get(key), dataset, args.eval or (), key)
        segmenter = build_segmenter(cfg, args)
        results = evaluate_dataset(segmenter, dataset, out_dir=args.out, evaluator=evaluator,
                                   save_score=args.save_score, show_dir=args.show_dir,
                                   progress=not args.no_progress, format_only=args.format_only,
                                   score_dtype=args.score_dtype, overwrite=args.overwrite)
        print(f'{sum(results.num_frames.values())} frames in {sum(results.timing.values()):.1f} s '
              f'({results.frames_per_second:.2f} frames/s, {segmenter.model.compute_dtype.name}; '
              f'reading to writing, scoring took {results.scoring_seconds:.1f} s more)')
        if segmenter.finetuner is None and segmenter.times.frames:
            times = segmenter.times
            print(times.line())
            print(times.model_alone_line(results.frames_per_second))
        if args.eval:
            report(cfg, args, results)
        if args.out:
            print(f'results written to {args.out}')
        return results


if __name__ == '__main__':
    main()
