# OSMN, `osvos` variant (the default; all published results): VGG16 segmentation net with four
# OSVOS side outputs, VGG16 visual modulator (3840 scales), Gaussian spatial modulator.
# Spec: /work/shared/docs/osmn_spec.md §3.1-3.4. Input: BGR - mean (104, 117, 123).
model = dict(
    type='OSMN',
    # segmentation network (scope osmn/seg): conv1_1..conv5_3, 4 SAME max pools, no pool5.
    # width scales every channel count (1.0 = the original; e.g. 0.125 for quick experiments).
    # parallel_convs: float32 convs of >= 128 outputs run as 2 half convs (speed only, same
    # function; 1.33 -> 1.10 s per 480x854 frame on 2 cores, docs/benchmark.md).
    backbone=dict(type='VGG16', layout='osvos', width=1.0, parallel_convs=2,
                  parallel_min_channels=128),
    # visual guide [B,224,224,3] -> one scale per channel of conv3_1..conv5_3 (osmn/modulator).
    visual_modulator=dict(type='VGG16VisualModulator', width=1.0, fc_channels=4096, dropout=0.5),
    # spatial guide [B,H,W,1] -> per-pixel shifts for conv3_x..conv5_x (osmn/modulator_sp).
    spatial_modulator=dict(type='GaussianSpatialModulator', momentum=0.99, epsilon=1e-3),
    # side outputs of conv2_2, conv3_3, conv4_3, conv5_3 -> bilinear deconvs -> crop -> fuse.
    head=dict(type='SideOutputHead', side_channels=16),
    # class-balanced BCE summed over the batch ('mean' divides by the pixel count).
    loss=dict(type='ClassBalancedBCE', reduction='sum'),
    train_seg=True,        # False = the original --fix_seg (freeze the segmentation convs)
    fix_bn=False,          # True = spatial-modulator BN uses (and keeps) its moving statistics
    mod_early_conv=False,  # True = also modulate conv1_x/conv2_x (4224 visual scales)
    weight_decay=2e-4,     # L2: weight_decay / 2 * sum(W^2) over every conv kernel
)
