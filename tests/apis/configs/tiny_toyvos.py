# A tiny OSMN (VGG16 osvos variant at 1/8 width) on a tiny ToyVOS set, for the inference and
# tool tests: random weights are enough to exercise every code path in a few seconds.
# data.*.data_root must be overridden with a temporary folder (--cfg-options).
_base_ = '../../../configs/osmn_vgg16_toyvos.py'
toy = dict(num_train=1, num_val=2, height=48, width=64, min_frames=4, max_frames=5,
           max_objects=3)
model = dict(backbone=dict(width=0.125), visual_modulator=dict(width=0.125, fc_channels=64))
test_cfg = dict(size=(32, 64))
data = dict(train=dict(generate=toy), val=dict(generate=toy), test=dict(generate=toy))
