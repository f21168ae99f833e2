# The runner tests' config: OSMN (VGG16 osvos) at 1/8 width on a tiny ToyVOS set at 64x96,
# batch 2, logging every iteration. Its data roots are set by the tests (tests/conftest.py).
_base_ = '../../../configs/osmn_vgg16_toyvos.py'
toy = dict(num_train=3, num_val=2, height=64, width=96, min_frames=6, max_frames=8,
           max_objects=2)
model = dict(backbone=dict(width=0.125), visual_modulator=dict(width=0.125, fc_channels=64))
test_cfg = dict(size=(64, 96))
data = dict(
    samples_per_gpu=2,
    train_loader=dict(base_size=(64, 96), scales=(1.0,)),
    train=dict(generate=toy), val=dict(generate=toy), test=dict(generate=toy))
optimizer = dict(lr=1e-3)
lr_config = dict(policy='cosine', min_lr=1e-5, warmup='linear', warmup_iters=3, warmup_ratio=0.1)
runner = dict(max_iters=8)
checkpoint_config = dict(interval=2, max_keep=2)
log_config = dict(interval=1, image_interval=4)
