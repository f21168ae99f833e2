# OSMN (VGG16, osvos variant) trained from scratch on the built-in synthetic set ToyVOS at
# 128x224 with reduced channel widths, for quick experiments on a CPU.
_base_ = [
    './_base_/models/osmn_vgg16.py', './_base_/datasets/toyvos.py',
    './_base_/schedules/schedule_toy.py', './_base_/default_runtime.py'
]
# He-normal kernels: the original std-0.001 init expects ImageNet weights on top and, from
# scratch, lets the 13-layer VGG's activations vanish.
model = dict(backbone=dict(width=0.25), visual_modulator=dict(width=0.25), init='he')
log_config = dict(interval=50, image_interval=400, tensorboard=True)
