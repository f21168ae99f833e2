# OSMN stage 1 (spec §5.5): COCO 2017 instances, 400x400 with scales {0.8, 1, 1.2}, batch 8,
# Adam 1e-5 -> 1e-6 at 200k, 300k iterations; both VGG16 copies start from TF-slim's ImageNet
# vgg_16.ckpt (download it yourself from TF-slim's model zoo; nothing is downloaded here).
_base_ = [
    './_base_/models/osmn_vgg16.py', './_base_/datasets/coco.py',
    './_base_/schedules/schedule_coco_300k.py', './_base_/default_runtime.py'
]
load_from = 'checkpoints/vgg_16.ckpt'
