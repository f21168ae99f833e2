"""Every recipe loads with the hyper-parameters of spec §5.5, builds its runner and trains two
(eager) iterations at reduced width on tiny data in its real layout (COCO JSON, DAVIS,
YouTube-VOS, ToyVOS)."""
import os
import sys

import pytest

from osmnseg.config import Config
from osmnseg.runner.builder import parse_runner_cfg
from runner_utils import REPO, build_tiny_runner, read_json_log

sys.path.insert(0, os.path.join(REPO, 'tests', 'datasets'))
from vos_layouts import write_coco, write_davis, write_ytvos  # noqa: E402

RECIPES = {
    # name: (batch, lr, max_iters, lr steps, layout writer)
    'osmn_vgg16_coco': (8, 1e-5, 300000, [200000], write_coco),
    'osmn_mobilenet_v1_coco': (8, 1e-5, 300000, [200000], write_coco),
    'osmn_vgg16_davis2017': (4, 1e-6, 50000, None, write_davis),
    'osmn_vgg16_ytvos': (8, 1e-5, 300000, [200000], write_ytvos),
    'osmn_vgg16_toyvos': (4, 1e-3, 1200, None, None),
    'osmn_mobilenet_v1_toyvos': (None, None, None, None, None),  # tuned separately
}
TINY_WIDTH = {'VGG16': dict(backbone=dict(width=0.125),
                            visual_modulator=dict(width=0.125, fc_channels=64)),
              'MobileNetV1': dict(backbone=dict(width=0.25, depth_multiplier=0.25),
                                  visual_modulator=dict(width=0.25, depth_multiplier=0.25,
                                                        hidden_channels=64))}


def recipe_path(name):
    return os.path.join(REPO, 'configs', f'{name}.py')


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_recipe_hyper_parameters(name):
    cfg = Config.fromfile(recipe_path(name))
    batch, lr, max_iters, steps, _ = RECIPES[name]
    assert batch is None or cfg.data.samples_per_gpu == batch
    assert cfg.optimizer.type == 'Adam' and cfg.optimizer.epsilon == 1e-8
    assert (cfg.optimizer.beta_1, cfg.optimizer.beta_2) == (0.9, 0.999)
    assert cfg.optimizer_config.accumulate == 1 and cfg.optimizer_config.grad_clip is None
    if lr is not None:
        assert cfg.optimizer.lr == lr and parse_runner_cfg(cfg)[0] == max_iters
    if steps is not None:
        assert cfg.lr_config.policy == 'step' and list(cfg.lr_config.step) == steps
        assert cfg.lr_config.gamma == 0.1
    assert cfg.checkpoint_config.max_keep == 2  # the original Saver kept two


def test_stage_two_flags():
    cfg = Config.fromfile(recipe_path('osmn_vgg16_davis2017'))
    assert cfg.model.fix_bn and cfg.data.train.randomize_guide
    assert cfg.lr_config.policy == 'constant' and cfg.load_from
    assert Config.fromfile(recipe_path('osmn_vgg16_ytvos')).data.train.randomize_guide


@pytest.mark.parametrize('name', [n for n in sorted(RECIPES) if 'toyvos' not in n] +
                         ['osmn_vgg16_toyvos'])
def test_recipe_trains_two_iterations_on_its_layout(name, tmp_path, tiny_toyvos):
    writer = RECIPES[name][4]
    root = writer(str(tmp_path / 'data')) if writer else tiny_toyvos
    cfg = Config.fromfile(recipe_path(name))
    settings = dict(model=TINY_WIDTH[cfg.model.backbone.type], load_from=None, validate=False,
                    runner=dict(max_iters=2, eager=True),
                    checkpoint_config=dict(interval=0, save_last=False),
                    log_config=dict(interval=1, image_interval=0, tensorboard=False),
                    data=dict(samples_per_gpu=2,
                              train_loader=dict(base_size=(32, 48), scales=(1.0, 0.8)),
                              train=dict(data_root=root)))
    config = tmp_path / 'recipe.py'
    config.write_text(f'_base_ = {recipe_path(name)!r}\n' +
                      ''.join(f'{k} = {v!r}\n' for k, v in settings.items()))
    runner = build_tiny_runner(str(config), tmp_path / 'work_dir')
    runner.timestamp = 'recipe'
    runner.run()
    records = read_json_log(tmp_path / 'work_dir')
    assert [r['iter'] for r in records] == [1, 2]
    assert all(r['loss'] == r['loss'] and r['loss'] > 0 for r in records)
