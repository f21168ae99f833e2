# OSMN on YouTube-VOS (spec §5.5): 448x256, scale {1}, batch 8, Adam 1e-5 up to 200k then 1e-6
# for 100k more, --randomize_guide, from ImageNet VGG16 (TF-slim vgg_16.ckpt).
_base_ = [
    './_base_/models/osmn_vgg16.py', './_base_/datasets/youtube_vos.py',
    './_base_/schedules/schedule_coco_300k.py', './_base_/default_runtime.py'
]
data = dict(samples_per_gpu=8, train=dict(randomize_guide=True))
load_from = 'checkpoints/vgg_16.ckpt'
