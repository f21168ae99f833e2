# Runtime defaults shared by every recipe (mmseg 0.x keys).
# (checkpoint_config, evaluation and the optimizer live in _base_/schedules/.)
# Log every 20 iterations (the original's display_iters); an image summary every 500.
log_config = dict(interval=20, image_interval=500, tensorboard=True)
custom_hooks = []
device = dict(type='CPU')
seed = 0
deterministic = False
# resume_from: continue a run (weights, optimizer, iteration, data position);
# load_from: initialise weights only (native, original OSMN or TF-slim checkpoint).
resume_from = None
load_from = None
