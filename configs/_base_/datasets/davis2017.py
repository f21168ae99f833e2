# DAVIS 2017 (spec §6.2, §6.3): one training pair per (object, consecutive frames), the guide
# drawn from the object's valid frames (--randomize_guide, as the README's stage 2), frames
# never flipped (quirk 15), the guide background always masked.
# Sizes are (H, W). Training draws one scale per batch: int(480*s) x int(854*s) for
# s in (0.5, 0.8, 1.0) (spec §4.1); testing runs at 480x854.
dataset_type = 'DAVIS'
data_root = 'data/DAVIS'
# mean in B, G, R order after the RGB->BGR swap (OSMN's Caffe-style VGG weights).
img_norm_cfg = dict(mean=(104, 117, 123), scale=1.0, to_bgr=True)
test_size = (480, 854)

# Reading one sample: frame, its label, the previous frame's mask and the guide frame + mask.
load_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadObjectMask', path_key='label_path', out_key='label'),
    dict(type='LoadObjectMask', path_key='prev_label_path', out_key='prev_mask'),
    dict(type='LoadGuideFrame'),
    dict(type='LoadObjectMask', path_key='guide_label_path', out_key='guide_mask',
         frame_key='guide_image'),
]
format_pipeline = [
    dict(type='Normalize', **img_norm_cfg),
    dict(type='MaskGuideBackground'),
    dict(type='PackInputs'),
]
train_pipeline = load_pipeline + [
    dict(type='Resize'),  # to the working size the loader draws per batch
    dict(type='VisualGuide', size=224, jitter_ratio=0.1, rotate_deg=10, flip_prob=0.5),
    dict(type='SpatialGuide', center_perturb=0.2, std_perturb=0.4),
] + format_pipeline
# The deterministic test-time processing of one (guide frame, previous mask, frame) triple
# (spec §7.2): 3% guide padding, no augmentation, unperturbed Gaussian.
test_pipeline = load_pipeline + [
    dict(type='Resize', size=test_size),
    dict(type='VisualGuide', size=224, pad_ratio=0.03, test_mode=True),
    dict(type='SpatialGuide', test_mode=True),
] + format_pipeline
data = dict(
    samples_per_gpu=4,
    train_loader=dict(base_size=(480, 854), scales=(0.5, 0.8, 1.0)),
    train=dict(type=dataset_type, data_root=data_root, version=2017, split='train',
               resolution='480p', randomize_guide=True, pipeline=train_pipeline),
    val=dict(type=dataset_type, data_root=data_root, version=2017, split='val',
             resolution='480p', test_mode=True, pipeline=test_pipeline),
    test=dict(type=dataset_type, data_root=data_root, version=2017, split='val',
              resolution='480p', test_mode=True, pipeline=test_pipeline))
# Scoring (osmnseg.evaluation, METRICS registry): the DAVIS J&F protocol with J/F Mean, Recall
# and Decay, and the original OSMN mIoU when asked for (--eval mIoU). Inherited by DAVIS 2016 and
# ToyVOS; a config that puts another data set into data.val / data.test sets these too.
val_evaluator = dict(type='DAVISMetric')
test_evaluator = val_evaluator
