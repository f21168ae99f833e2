# The matching recipe's network (configs/osmn_match_mobilenet_v1_davis2016.py) at quarter width
# with 16-channel matching, on the tiny ToyVOS set of the inference tests, soft merging: random
# weights exercise every path of the export and the runtime in seconds.
# data.*.data_root must be overridden with a temporary folder (--cfg-options).
_base_ = '../../apis/configs/tiny_toyvos.py'
model = dict(
    _delete_=True, type='OSMN',
    backbone=dict(type='MobileNetV1', depth_multiplier=0.25, modulated_layers=(5, 11, 13)),
    matching_modulator=dict(type='MatchingModulator', source_layer='Conv2d_5_pointwise',
                            embed_channels=16, hidden_channels=16, local_radius=2,
                            global_pool=2),
    head=dict(type='LiteHead', side_channels=16,
              in_features=('Conv2d_1_pointwise', 'Conv2d_3_pointwise', 'Conv2d_5_pointwise',
                           'Conv2d_11_pointwise', 'Conv2d_13_pointwise', 'matching')),
    loss=dict(type='BinaryCrossEntropy'))
test_cfg = dict(size=(32, 64), merge='soft')
