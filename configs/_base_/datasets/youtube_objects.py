# YouTube-Objects (spec §6.5): evaluation only, at 360x640 (H, W); one object per sequence
# (labels > 0). No training split: use it as data.val / data.test next to a training set.
_base_ = './davis2017.py'
dataset_type = 'YouTubeObjects'
data_root = 'data/youtube_objects'
test_size = (360, 640)
test_pipeline = [
    dict(type='Resize', size=test_size) if step['type'] == 'Resize' else step
    for step in _base_.test_pipeline
]
data = dict(
    _delete_=True,
    samples_per_gpu=1,
    val=dict(type=dataset_type, data_root=data_root, test_mode=True, pipeline=test_pipeline),
    test=dict(type=dataset_type, data_root=data_root, test_mode=True, pipeline=test_pipeline))
# Scoring: OSMN's youtube_eval.py mIoU (every labelled frame but the first, labels > 127, mean
# per sequence); --eval J F also gives the DAVIS protocol on the same masks.
val_evaluator = dict(_delete_=True, type='YouTubeObjectsMetric')
test_evaluator = val_evaluator
