# The README's main job: OSMN-lite trained from scratch on the built-in synthetic set ToyVOS
# (generated into data/toyvos on first use) at 128x224, then tested on its val split.
# A half-width MobileNet keeps one CPU iteration short; no pretrained weights are needed.
_base_ = [
    './_base_/models/osmn_mobilenet_v1.py', './_base_/datasets/toyvos.py',
    './_base_/schedules/schedule_toy.py', './_base_/default_runtime.py'
]
# Batch-norm decay 0.9 instead of 0.997/0.99: a run of a few hundred iterations must end with
# moving statistics that match its weights, or inference (which uses them) fails.
model = dict(
    backbone=dict(depth_multiplier=0.5, momentum=0.9),
    # From scratch, the original all-zero Conv2d_1c_1x1 kernel would keep every hidden unit
    # identical forever; a random kernel lets the visual modulator learn appearance.
    visual_modulator=dict(depth_multiplier=0.5, hidden_channels=256, hidden_init_std=0.09,
                          momentum=0.9),
    spatial_modulator=dict(momentum=0.9))
# 1,600 iterations (~0.22 s each on a 2-core CPU): 2,000 gave J&F 0.357 on ToyVOS val (0.248
# after 1,200) but brought the README's command to 9 min 59 s; 1,600 keeps a margin.
runner = dict(max_iters=1600)
checkpoint_config = dict(interval=400)
log_config = dict(interval=50, image_interval=500, tensorboard=True)
