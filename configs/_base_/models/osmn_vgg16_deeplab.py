# OSMN, `deeplab` variant: DeepLab-v2 style VGG16 (output stride 8, dilated conv5, 4-branch ASPP)
# with the VGG16 visual modulator and the Gaussian spatial modulator (conv4 and conv5 shifts both
# at stride 8, which the modulator derives from the backbone's strides).
# Spec: /work/shared/docs/osmn_spec.md §3.5.
model = dict(
    type='OSMN',
    # pool4 2x2 stride 1, conv5 dilation 2, pool5 3x3 stride 1.
    backbone=dict(type='VGG16', layout='deeplab', width=1.0),
    visual_modulator=dict(type='VGG16VisualModulator', width=1.0, fc_channels=4096, dropout=0.5),
    spatial_modulator=dict(type='GaussianSpatialModulator', momentum=0.99, epsilon=1e-3),
    # fc6_k (3x3, rate 6/12/18/24) -> fc7_k -> fc8_voc12_k, summed, score-up (16/8), crop.
    head=dict(type='ASPPHead', in_feature='pool5', rates=(6, 12, 18, 24), channels=1024,
              dropout=0.5, score_name='fc8_voc12'),
    loss=dict(type='ClassBalancedBCE', reduction='sum'),
    train_seg=True,
    fix_bn=False,
    mod_early_conv=False,
    weight_decay=2e-4,
)
