"""Generate the synthetic ToyVOS set (DAVIS 2017 layout + COCO-style JSON), no download needed.

    python tools/misc/make_toyvos.py --out data/toyvos [--seed 0] [--num-train 30 --num-val 10]
        [--size 240x432] [--force] [--baseline]

Nothing is written when --out already holds the set of these parameters (unless --force). The
toy configs call the same generator on first use, so running this by hand is optional.
"""
import argparse
import sys
import time

from osmnseg.datasets.toyvos import ToyVOSParams, generate_toyvos, is_current
from osmnseg.evaluation.baselines import copy_first_frame_baseline_jf
from osmnseg.utils.errors import OsmnsegError


def parse_size(text):
    """``'240x432'`` -> ``(240, 432)`` (height x width)."""
    try:
        height, width = (int(part) for part in text.lower().split('x'))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f'--size must be HEIGHTxWIDTH, e.g. 240x432, '
                                         f'got {text!r}') from err
    return height, width


def parse_args(argv=None):
    defaults = ToyVOSParams()
    parser = argparse.ArgumentParser(description='Generate the ToyVOS synthetic video set.')
    parser.add_argument('--out', required=True, help='output folder, e.g. data/toyvos')
    parser.add_argument('--seed', type=int, default=defaults.seed, help='master seed')
    parser.add_argument('--num-train', type=int, default=defaults.num_train,
                        help='number of training sequences')
    parser.add_argument('--num-val', type=int, default=defaults.num_val,
                        help='number of validation sequences')
    parser.add_argument('--size', type=parse_size, default=(defaults.height, defaults.width),
                        help='frame size HEIGHTxWIDTH (default: %(default)s)')
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if --out already holds this set')
    parser.add_argument('--baseline', action='store_true',
                        help='also print J&F of copying the first-frame masks (val split)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        params = ToyVOSParams(seed=args.seed, num_train=args.num_train, num_val=args.num_val,
                              height=args.size[0], width=args.size[1])
        up_to_date = not args.force and is_current(args.out, params)
        start = time.perf_counter()
        manifest = generate_toyvos(args.out, params, force=args.force)
        seconds = time.perf_counter() - start
        frames = sum(seq['num_frames'] for seq in manifest['sequences'].values())
        status = 'already up to date' if up_to_date else f'generated in {seconds:.1f} s'
        print(f'ToyVOS in {args.out}: {len(manifest["sequences"])} sequences, {frames} frames, '
              f'{manifest["file_count"]} files, hash {manifest["content_hash"][:16]} ({status})')
        if args.baseline and params.num_val:
            scores = copy_first_frame_baseline_jf(args.out, 'val')
            print('copy-first-frame baseline on val: ' +
                  ', '.join(f'{key} {value:.3f}' for key, value in scores.items()))
    except OsmnsegError as err:
        sys.exit(f'make_toyvos: {err}')


if __name__ == '__main__':
    main()
