# The README's main job: OSMN-lite trained from scratch on the built-in synthetic set ToyVOS
# (generated into data/toyvos on first use) at 128x224, then tested on its val split.
# No pretrained weights are needed; every choice below keeps a 2-core CPU run to a few minutes.
_base_ = [
    './_base_/models/osmn_mobilenet_v1.py', './_base_/datasets/toyvos.py',
    './_base_/schedules/schedule_toy.py', './_base_/default_runtime.py'
]
model = dict(
    # Quarter-width MobileNets (segmentation body and visual modulator): ~0.1 s per iteration.
    # Batch-norm decay 0.9 instead of 0.997/0.99: a run of a few thousand iterations must end
    # with moving statistics that match its weights, or inference (which uses them) fails.
    backbone=dict(depth_multiplier=0.25, momentum=0.9),
    # From scratch, the original all-zero Conv2d_1c_1x1 kernel would keep every hidden unit
    # identical forever; a random kernel lets the visual modulator learn appearance.
    visual_modulator=dict(depth_multiplier=0.25, hidden_channels=256, hidden_init_std=0.09,
                          momentum=0.9),
    spatial_modulator=dict(momentum=0.9),
    # One more side output, from the stride-2 Conv2d_1_pointwise, for sharper boundaries
    # (J&F 0.556 -> 0.610 after 3,200 iterations, for 20 % more time per iteration).
    head=dict(in_features=('Conv2d_1_pointwise', 'Conv2d_3_pointwise', 'Conv2d_5_pointwise',
                           'Conv2d_11_pointwise', 'Conv2d_13_pointwise')),
    # Plain BCE instead of the class-balanced loss: its probabilities are calibrated, so the
    # 0.5 threshold of the propagated mask neither grows nor shrinks objects frame after frame
    # (class-balanced: J&F 0.262 after 1,600 iterations at half width; BCE: 0.388).
    loss=dict(_delete_=True, type='BinaryCrossEntropy'))
# 112x112 visual guides (the objects are at most ~120 px wide in 240x432 frames): a quarter of
# the visual modulator's cost at 224.
guide_size = 112
train_pipeline = [dict(step, size=guide_size) if step['type'] == 'VisualGuide' else step
                  for step in _base_.train_pipeline]
test_pipeline = [dict(step, size=guide_size) if step['type'] == 'VisualGuide' else step
                 for step in _base_.test_pipeline]
# Batch 8 (less seed-dependent than batch 4), 3,200 iterations: since the faster training step
# of issue 13 (~0.10 s per iteration here instead of ~0.18) they fit the few minutes that 2,000
# took before; seeds 0 / 1 / 2 gave J&F 0.629 / 0.621 / 0.635 (2,000 iterations: 0.539 / - / -
# with this code, 0.582 / 0.523 / 0.626 before it). docs/training.md has the table.
data = dict(samples_per_gpu=8, train=dict(pipeline=train_pipeline),
            val=dict(pipeline=test_pipeline), test=dict(pipeline=test_pipeline))
runner = dict(max_iters=3200)
checkpoint_config = dict(interval=500)
log_config = dict(interval=50, image_interval=500, tensorboard=True)
