# The browser test's model: the README's lite recipe (quarter-width MobileNets) trained for a
# few hundred iterations on a small ToyVOS set at 64x96 (one object, no look-alike distractors),
# so that it propagates better than copying the first mask within the test's time.
# data.*.data_root must be overridden with a temporary folder (--cfg-options).
_base_ = '../../../configs/osmn_mobilenet_v1_toyvos.py'
toy = dict(num_train=12, num_val=4, height=64, width=96, min_frames=10, max_frames=12,
           max_objects=1, num_distractors=(0, 0))
guide_size = 64
train_pipeline = [dict(step, size=guide_size) if step['type'] == 'VisualGuide' else step
                  for step in _base_.train_pipeline]
test_pipeline = [dict(step, size=guide_size) if step['type'] == 'VisualGuide' else step
                 for step in _base_.test_pipeline]
test_cfg = dict(size=(64, 96))
data = dict(train_loader=dict(base_size=(64, 96)),
            train=dict(generate=toy, pipeline=train_pipeline),
            val=dict(generate=toy, pipeline=test_pipeline),
            test=dict(generate=toy, pipeline=test_pipeline))
runner = dict(max_iters=300)
lr_config = dict(warmup_iters=20)
checkpoint_config = dict(interval=300)
log_config = dict(interval=50, image_interval=10000, tensorboard=False)
