# ToyVOS: the built-in synthetic set (240x432 frames in the DAVIS layout), generated into
# data/toyvos on first use and read by the DAVIS reader. The toy recipe trains and tests at
# 128x224 (H, W; both multiples of 32 for MobileNet), one scale, so a CPU step stays short;
# processing is otherwise identical to DAVIS 2017.
_base_ = './davis2017.py'
dataset_type = 'ToyVOS'
data_root = 'data/toyvos'
test_size = (128, 224)
test_pipeline = [
    dict(type='Resize', size=test_size) if step['type'] == 'Resize' else step
    for step in _base_.test_pipeline
]
data = dict(
    samples_per_gpu=4,
    train_loader=dict(base_size=(128, 224), scales=(1.0,)),
    train=dict(_delete_=True, type=dataset_type, data_root=data_root, version=2017,
               split='train', randomize_guide=True, pipeline=_base_.train_pipeline),
    val=dict(_delete_=True, type=dataset_type, data_root=data_root, version=2017, split='val',
             test_mode=True, pipeline=test_pipeline),
    test=dict(_delete_=True, type=dataset_type, data_root=data_root, version=2017,
              split='val', test_mode=True, pipeline=test_pipeline))
# Scoring: DAVISMetric of ./davis2017.py (ToyVOS is in the DAVIS layout).
