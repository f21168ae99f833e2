"""Score any method's DAVIS result folder with the official semi-supervised J&F protocol.

    python tools/eval_davis.py DAVIS_ROOT RESULTS_DIR --year 2017 --set val [--resolution 480p]
        [--sequences bike-packing blackswan] [--out DIR] [--miou]

RESULTS_DIR holds ``<sequence>/<frame>.png`` palette or 8-bit index PNGs (the official result
layout). Prints the global and the per-object tables and writes ``global_results_<stamp>.csv``
and ``per-sequence_results_<stamp>.csv`` (one stamp per run, so earlier CSVs are never
replaced) to --out (default: RESULTS_DIR, as the official evaluator does).
"""
import argparse

from osmnseg.cli import add_debug_option, one_line_errors
from osmnseg.evaluation import (davis_miou, evaluate_results_dir, per_object_table, summary_table,
                                write_csvs)
from osmnseg.utils.paths import check_writable_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='DAVIS semi-supervised evaluation (J&F)')
    parser.add_argument('davis_root', help='DAVIS folder with ImageSets/ and Annotations/')
    parser.add_argument('results_dir', help='folder with <sequence>/<frame>.png result masks')
    parser.add_argument('--year', type=int, choices=[2016, 2017], default=2017,
                        help='ImageSets year; 2016 scores the union of objects as one object')
    parser.add_argument('--set', dest='split', default='val',
                        help='ImageSets list to evaluate (train, val, ...)')
    parser.add_argument('--resolution', default='480p', help='Annotations/<resolution> folder')
    parser.add_argument('--sequences', nargs='+', help='evaluate only these sequences')
    parser.add_argument('--out', help='folder for the CSVs (default: RESULTS_DIR)')
    parser.add_argument('--miou', action='store_true',
                        help='also print the original OSMN davis_eval.py mIoU')
    add_debug_option(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        check_writable_dir(args.out or args.results_dir, '--out')
        results = evaluate_results_dir(args.davis_root, args.results_dir, args.year, args.split,
                                       args.resolution, args.sequences, progress=True)
        print(summary_table(results, f'DAVIS {args.year} {args.split} J&F (%)'))
        print(per_object_table(results))
        if args.miou:
            miou, _ = davis_miou(args.davis_root, args.results_dir, args.year, args.split,
                                 args.resolution, args.sequences)
            print(f'mIoU (original OSMN davis_eval.py): {100 * miou:.1f}')
        for path in write_csvs(args.out or args.results_dir, results):
            print(f'wrote {path}')


if __name__ == '__main__':
    main()
