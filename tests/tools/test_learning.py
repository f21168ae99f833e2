"""The toolkit learns: tools/train.py for a fixed number of iterations on a small ToyVOS set, then
tools/test.py on its val split, must beat copying the first-frame mask to every frame."""
import glob
import json
import os

from osmnseg.evaluation.baselines import copy_first_frame_baseline_jf

# The browser test's small recipe (quarter-width OSMN-lite, 12 train and 4 val one-object
# sequences of 10-12 frames at 64x96); the iterations and the seed are pinned here.
CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'webui',
                      'configs', 'webui_toyvos.py')
ITERATIONS = 300
SEED = 0
MARGIN = 0.10


def test_a_short_training_beats_copying_the_first_mask(tmp_path, run_subprocess):
    """J&F of the trained model >= the copy-the-first-mask baseline's + MARGIN.

    How MARGIN was chosen: after these 300 iterations the model scored J&F 0.657 (seed 0;
    seeds 1 / 2: 0.653 / 0.701) against 0.468 for copying the first mask, 0.19-0.23 above it,
    and 0.001 after 1 iteration. 0.10 is about half the smallest measured gain: another CPU's
    rounding moves a short from-scratch run by a few hundredths (the README's main job: 0.629
    on one CPU, 0.585 on another), while a model that does not learn stays far below.
    Time: 63 s of CPU for the test on 2 cores (3.5 min of wall time while a training ran
    beside it, load average 9), so well under 90 s on 2 quiet cores.
    """
    data_root = str(tmp_path / 'toyvos')
    work_dir = str(tmp_path / 'work_dir')
    options = ['--cfg-options', *[f'data.{split}.data_root={data_root}'
                                  for split in ('train', 'val', 'test')],
               f'runner.max_iters={ITERATIONS}', f'checkpoint_config.interval={ITERATIONS}']
    run_subprocess(['python', 'tools/train.py', CONFIG, '--work-dir', work_dir, '--seed', SEED,
                    *options], timeout=600)
    run_subprocess(['python', 'tools/test.py', CONFIG, work_dir, '--eval', 'J', 'F',
                    '--no-progress', *options])
    [record] = glob.glob(os.path.join(work_dir, 'eval_*.json'))
    with open(record) as f:
        trained = json.load(f)['metrics']['J&F-Mean']
    copied = copy_first_frame_baseline_jf(data_root, 'val')['J&F']
    assert 0.4 < copied < 0.55  # 0.468: objects move, so copying is far from perfect
    assert trained >= copied + MARGIN, (trained, copied)
