# MS-COCO 2017 instances (spec §6.1): one sample per non-crowd instance covering > 3% of its
# image. The image is its own guide frame (the guide is cropped from the full image first) and
# the spatial guide comes from the resized, flipped current mask. Main image flipped with
# p=0.5 independently of the guide flip. Sizes are (H, W): 400x400 at scales (0.8, 1.0, 1.2).
dataset_type = 'CocoVOS'
data_root = 'data/coco'
img_norm_cfg = dict(mean=(104, 117, 123), scale=1.0, to_bgr=True)
test_size = (400, 400)

train_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadCocoMasks', out_keys=('label', 'guide_mask')),
    dict(type='VisualGuide', size=224, jitter_ratio=0.1, rotate_deg=10, flip_prob=0.5,
         image_key='image'),
    dict(type='Resize', mask_keys=('label',)),
    dict(type='RandomFlip', prob=0.5, keys=('image', 'label')),
    dict(type='SpatialGuide', center_perturb=0.2, std_perturb=0.4, source_key='label'),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='MaskGuideBackground'),
    dict(type='PackInputs'),
]
# The reference's (unused) COCO test phase: the test crop (3 % padding), no flip, unperturbed guides.
test_pipeline = [
    dict(type='LoadFrame'),
    dict(type='LoadCocoMasks', out_keys=('label', 'guide_mask')),
    dict(type='VisualGuide', size=224, test_mode=True, image_key='image'),
    dict(type='Resize', size=test_size, mask_keys=('label',)),
    dict(type='SpatialGuide', test_mode=True, source_key='label'),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='MaskGuideBackground'),
    dict(type='PackInputs'),
]
data = dict(
    samples_per_gpu=8,
    train_loader=dict(base_size=(400, 400), scales=(0.8, 1.0, 1.2)),
    train=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline),
    val=dict(type=dataset_type, data_root=data_root, split='val', test_mode=True,
             pipeline=test_pipeline),
    test=dict(type=dataset_type, data_root=data_root, split='val', test_mode=True,
              pipeline=test_pipeline))
# No val_evaluator / test_evaluator: COCO has images, not video sequences to score (its
# schedules set evaluation = None); validate a COCO-trained model on a video set's config.
