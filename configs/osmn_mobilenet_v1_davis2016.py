# Real video: OSMN-lite with both MobileNet v1 bodies (segmentation and visual modulator)
# initialised from ImageNet, trained on the 30 DAVIS 2016 training sequences and tested on
# DAVIS 2016 val (by default the 10 dev sequences in ../shared/data/davis2016_dev).
# One `python tools/train.py` run: 24 min 44 s on a quiet 2-core CPU (36 min beside other jobs);
# J&F 0.659 (seed 0, this release) / 0.638 (seed 0, before issue 13) / 0.620 (seed 1) on the
# ten dev sequences (docs/training.md).
_base_ = [
    './_base_/models/osmn_mobilenet_v1.py', './_base_/datasets/davis2016.py',
    './_base_/default_runtime.py'
]
# ../shared (next to the project checkout) holds the data and the ImageNet weights; the paths
# resolve from this file, so the recipe runs from any current directory.
shared = '{{fileDirname}}/../../shared'
imagenet = dict(type='Pretrained', prefix='MobilenetV1',
                checkpoint=shared + '/weights/mobilenet_v1_1.0_224/mobilenet_v1_1.0_224.ckpt')
model = dict(
    # ImageNet statistics stay (batch 4 is too small to re-estimate them) and the two
    # highest-resolution layers stay frozen (their backward pass is a third of a step).
    backbone=dict(norm_eval=True, frozen_stages=1, init_cfg=imagenet),
    # A random hidden kernel: with the original all-zero one every hidden unit stays identical,
    # so the modulator could only ever output one direction of scales.
    visual_modulator=dict(norm_eval=True, frozen_stages=1, hidden_init_std=0.02,
                          init_cfg=imagenet),
    # One more side output from the stride-2 Conv2d_1_pointwise for sharper boundaries.
    head=dict(in_features=('Conv2d_1_pointwise', 'Conv2d_3_pointwise', 'Conv2d_5_pointwise',
                           'Conv2d_11_pointwise', 'Conv2d_13_pointwise')),
    # Calibrated probabilities: the 0.5 threshold neither grows nor shrinks the propagated mask.
    loss=dict(_delete_=True, type='BinaryCrossEntropy'))
# TF-slim MobileNet ImageNet weights take RGB in [-1, 1].
img_norm_cfg = dict(mode='rgb_unit')
# Training sizes 224x392 .. 288x504 (one drawn per batch); testing at 384x672 (frames of any
# size are resized to it and the masks back). Testing larger than training sharpens the
# boundaries: J&F 0.670 at 384x672 against 0.652 at 480x854 (docs/training.md).
base_size = (256, 448)
test_size = (384, 672)
train_pipeline = _base_.load_pipeline + [
    # Zoom and shift (frame, label and previous mask together), then flip.
    dict(type='RandomScaleCrop', scale_range=(0.6, 1.0), prob=0.5),
    dict(type='RandomFlip', prob=0.5, flagged_only=False),
    dict(type='Resize'),
    dict(type='VisualGuide', size=224, jitter_ratio=0.1, rotate_deg=10, flip_prob=0.5,
         color_jitter=True),
    dict(type='SpatialGuide', center_perturb=0.2, std_perturb=0.4),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='MaskGuideBackground'),
    dict(type='PackInputs'),
]
# Where the working size comes from the frames (tools/infer_video.py keeps each clip's aspect
# at the test size's longer side), its sides are rounded to multiples of 32, the network's
# largest stride: feature maps then cover the frame exactly. Off a multiple (a 16:9 clip gives
# 378x672) they are shifted by a fraction of a cell and the mask fed back each frame drifts:
# dev J 0.661 at 378x672 against 0.689 at 384x672 (the matching recipe: 0.695 against 0.780).
test_cfg = dict(size_divisor=32)
test_pipeline = [
    dict(step, size=test_size) if step['type'] == 'Resize'
    else dict(type='Normalize', **img_norm_cfg) if step['type'] == 'Normalize' else step
    for step in _base_.test_pipeline
]
data = dict(
    samples_per_gpu=4,
    train_loader=dict(base_size=base_size, scales=(0.875, 1.0, 1.125)),
    # The previous mask comes from 1-3 frames back: larger motion than consecutive frames.
    train=dict(data_root=shared + '/data/davis2016_train', split='train', max_prev_gap=3,
               pipeline=train_pipeline),
    val=dict(data_root=shared + '/data/davis2016_dev', pipeline=test_pipeline),
    test=dict(data_root=shared + '/data/davis2016_dev', pipeline=test_pipeline))
optimizer = dict(type='Adam', lr=1e-4, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
optimizer_config = dict(accumulate=1, grad_clip=None)
lr_config = dict(policy='cosine', min_lr=1e-6, warmup='linear', warmup_iters=100,
                 warmup_ratio=0.1)
runner = dict(type='IterBasedRunner', max_iters=2600)
checkpoint_config = dict(interval=200, max_keep=2)
# tools/test.py --online-finetune ITERS: Adam on the first frame at the test size.
online_finetune = dict(lr=1e-5, scales=(0.75, 1.0))
evaluation = None
log_config = dict(interval=20, image_interval=1000, tensorboard=True)
