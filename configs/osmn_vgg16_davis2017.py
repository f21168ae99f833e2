# OSMN stage 2 (spec §5.5, README): DAVIS 2017 train, 854x480 with scales {0.5, 0.8, 1}, batch 4,
# constant LR 1e-6 for 50k iterations, --fix_bn --randomize_guide, from the stage-1 model.
_base_ = [
    './_base_/models/osmn_vgg16.py', './_base_/datasets/davis2017.py',
    './_base_/schedules/schedule_davis_50k.py', './_base_/default_runtime.py'
]
model = dict(fix_bn=True)
data = dict(samples_per_gpu=4, train=dict(randomize_guide=True))
load_from = 'work_dirs/osmn_vgg16_coco'
