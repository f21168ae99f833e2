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

    How MARGIN was chosen: with these 300 iterations the model scored J&F 0.657 (seed 0; seeds
    1 / 2: 0.653 / 0.701; 200 iterations: 0.620 / 0.596 / 0.689) against 0.468 for copying the
    first mask, 0.19-0.23 above it on one CPU. 0.10 is half the smallest of those gains: another
    CPU's rounding moves such a short from-scratch run by a few hundredths (the README's main job:
    0.629 on one CPU, 0.585 on another), while a model that does not learn (a broken loss,
    gradients or data pipeline) stays at or below the baseline, since it must at least find the
    object again in every frame. The untrained model is far below: its masks are noise.
    Measured time on 2 busy cores: ~55 s of CPU for both tools (training ~45 s of it).
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
