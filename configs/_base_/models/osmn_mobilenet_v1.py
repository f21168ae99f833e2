# OSMN, `lite` variant: MobileNet v1 segmentation body modulated after Conv2d_3/5/11/13_pointwise,
# MobileNet visual modulator (four scale vectors: 128/256/512/1024), lite spatial modulator.
# Works for any H, W (the original needed multiples of 32 and equals this one there).
# Spec: /work/shared/docs/osmn_spec.md §3.7. MobileNet ImageNet weights expect RGB in [-1, 1].
model = dict(
    type='OSMN',
    # depth_multiplier = MobileNet's multiplier; width = the toolkit-wide knob (multiplies it).
    backbone=dict(type='MobileNetV1', depth_multiplier=1.0, width=1.0,
                  modulated_layers=(3, 5, 11, 13), momentum=0.997, epsilon=1e-3),
    visual_modulator=dict(type='MobileNetVisualModulator', depth_multiplier=1.0, width=1.0,
                          hidden_channels=2048),
    spatial_modulator=dict(type='LiteSpatialModulator', momentum=0.99, epsilon=1e-3),
    # conv{3,5,11,13}_16 -> resize to H/2 x W/2 -> concat -> score -> resize to H x W.
    head=dict(type='LiteHead', side_channels=16),
    loss=dict(type='ClassBalancedBCE', reduction='sum'),
    train_seg=True,   # the original always trains the lite body; False freezes it here
    fix_bn=False,     # affects the spatial modulator's BN only (MobileNet BN follows training)
    weight_decay=4e-5,
)
