# OSMN, `masktrack` variant: the spatial guide (a dilated 0/255 mask, spec §4.4) is concatenated
# to the image as its first channel (4-channel input), no spatial modulator; DeepLab-like VGG16
# with 3x3 pools and an ASPP head whose last layers are named fc8_k.
# Spec: /work/shared/docs/osmn_spec.md §3.6.
model = dict(
    type='OSMN',
    backbone=dict(type='VGG16', layout='masktrack', width=1.0),  # in_channels=4
    visual_modulator=dict(type='VGG16VisualModulator', width=1.0, fc_channels=4096, dropout=0.5),
    spatial_modulator=None,
    head=dict(type='ASPPHead', in_feature='pool5', rates=(6, 12, 18, 24), channels=1024,
              dropout=0.5, score_name='fc8'),
    loss=dict(type='ClassBalancedBCE', reduction='sum'),
    guide_as_input=True,
    # (height, width) to zero-pad the 4-channel input to (centred), e.g. (481, 865) for DAVIS
    # to mimic Caffe padding; None = no padding. Logits always keep the input size.
    aligned_size=None,
    train_seg=True,
    fix_bn=False,
    mod_early_conv=False,
    weight_decay=2e-4,
)
