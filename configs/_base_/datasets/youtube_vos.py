# YouTube-VOS (spec §6.4): <data_root>/{train,valid}/meta.json, JPEGImages/, Annotations/.
# Training and testing at 256x448 (H, W), one scale; guides from the object's frames list.
_base_ = './davis2017.py'
dataset_type = 'YouTubeVOS'
data_root = 'data/youtube_vos'
test_size = (256, 448)
test_pipeline = [
    dict(type='Resize', size=test_size) if step['type'] == 'Resize' else step
    for step in _base_.test_pipeline
]
data = dict(
    samples_per_gpu=8,
    train_loader=dict(base_size=(256, 448), scales=(1.0,)),
    train=dict(_delete_=True, type=dataset_type, data_root=data_root, split='train',
               randomize_guide=True, pipeline=_base_.train_pipeline),
    val=dict(_delete_=True, type=dataset_type, data_root=data_root, split='valid',
             test_mode=True, pipeline=test_pipeline),
    test=dict(_delete_=True, type=dataset_type, data_root=data_root, split='valid',
              test_mode=True, pipeline=test_pipeline))
# No local scoring (valid has no public ground truth): --format-only writes Annotations/ and
# submission.zip for the evaluation server.
val_evaluator = dict(_delete_=True, type='YouTubeVOSMetric')
test_evaluator = val_evaluator
