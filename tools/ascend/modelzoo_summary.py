"""Print and write the Ascend ModelZoo summary of a training run from its JSON log.

TrainingTime is the mean ``time`` per logged iteration (the first, which traces the step
function, is left out when there are others), ActualFPS = batch size / TrainingTime, ActualLoss
is the last logged loss; the same lines as the Ascend port's test scripts.
"""
import argparse
import glob
import json
import os
import platform
import sys


def read_train_records(work_dir):
    """The ``mode == 'train'`` records of the newest ``*.log.json`` of ``work_dir``."""
    logs = sorted(glob.glob(os.path.join(work_dir, '*.log.json')))
    if not logs:
        sys.exit(f'error: no *.log.json in {work_dir}; did the training run start?')
    with open(logs[-1], encoding='utf-8') as f:
        records = [json.loads(line) for line in f if line.strip()]
    return [r for r in records if r.get('mode') == 'train']


def summarize(records, batch_size):
    times = [r['time'] for r in records if 'time' in r]
    steady = times[1:] if len(times) > 1 else times
    training_time = sum(steady) / len(steady)
    return dict(TrainingTime=training_time, ActualFPS=batch_size / training_time,
                ActualLoss=records[-1]['loss'], losses=[r['loss'] for r in records])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--case-name', required=True)
    parser.add_argument('--batch-size', type=int, required=True)
    parser.add_argument('--e2e-seconds', type=float, required=True)
    parser.add_argument('--out-dir', required=True)
    args = parser.parse_args(argv)
    records = read_train_records(args.work_dir)
    if not records:
        sys.exit(f'error: the JSON log of {args.work_dir} holds no training iteration')
    summary = summarize(records, args.batch_size)
    with open(os.path.join(args.out_dir, f'{args.case_name}_loss.txt'), 'w') as f:
        f.write('\n'.join(f'{loss:.4f}' for loss in summary['losses']) + '\n')
    lines = [f'Network = OSMN_ID1103_for_TensorFlow', 'RankSize = 1',
             f'BatchSize = {args.batch_size}', f'DeviceType = {platform.machine()}',
             f'CaseName = {args.case_name}', f"ActualFPS = {summary['ActualFPS']:.2f}",
             f"TrainingTime = {summary['TrainingTime']:.2f}",
             f"ActualLoss = {summary['ActualLoss']:.4f}",
             f'E2ETrainingTime = {int(args.e2e_seconds)}']
    with open(os.path.join(args.out_dir, f'{args.case_name}.log'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f"Final Performance images/sec : {summary['ActualFPS']:.2f}")
    print(f"Final Training Time per step sec : {summary['TrainingTime']:.2f}")
    print(f"Final Train Loss : {summary['ActualLoss']:.4f}")
    print(f'Final Training Duration sec : {int(args.e2e_seconds)}')


if __name__ == '__main__':
    main()
