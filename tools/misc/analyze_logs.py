"""Plot training curves from JSON logs: ``analyze_logs.py plot_curve LOG.json [...] --keys loss``.

Also ``analyze_logs.py cal_train_time LOG.json`` prints the mean/slowest/fastest iteration time.
matplotlib is optional (``pip install -e ".[plot]"``).
"""
import argparse
import json
import sys


def load_records(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def plot_curve(logs, keys, out, title=None):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit('error: plot_curve needs matplotlib; install it with pip install -e ".[plot]"')
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for path in logs:
        records = load_records(path)
        for key in keys:
            points = [(r['iter'], r[key]) for r in records if key in r]
            if not points:
                sys.exit(f"error: {path} has no '{key}' entries; available: "
                         f"{sorted({k for r in records for k in r})}")
            iterations, values = zip(*points)
            axis.plot(iterations, values, label=f'{path}: {key}' if len(logs) > 1 else key)
    axis.set_xlabel('iteration')
    axis.legend()
    if title:
        axis.set_title(title)
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    print(f'saved {out}')


def cal_train_time(logs):
    for path in logs:
        times = [r['time'] for r in load_records(path) if r.get('mode') == 'train' and 'time' in r]
        if not times:
            sys.exit(f'error: {path} holds no timed training iterations')
        print(f'{path}: mean {sum(times) / len(times):.4f} s/iter, slowest {max(times):.4f}, '
              f'fastest {min(times):.4f} ({len(times)} logged iterations)')


def main(argv=None):
    parser = argparse.ArgumentParser(description='Analyse osmnseg JSON training logs')
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot metrics against iterations')
    plot.add_argument('logs', nargs='+')
    plot.add_argument('--keys', nargs='+', default=['loss'])
    plot.add_argument('--out', default='curve.png')
    plot.add_argument('--title')
    timing = sub.add_parser('cal_train_time', help='iteration time statistics')
    timing.add_argument('logs', nargs='+')
    args = parser.parse_args(argv)
    if args.task == 'plot_curve':
        plot_curve(args.logs, args.keys, args.out, args.title)
    else:
        cal_train_time(args.logs)


if __name__ == '__main__':
    main()
