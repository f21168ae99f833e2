# Short schedule for the built-in synthetic set: a few minutes on a 2-core CPU.
optimizer = dict(type='Adam', lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
optimizer_config = dict(accumulate=1, grad_clip=None)
lr_config = dict(policy='cosine', min_lr=1e-5, warmup='linear', warmup_iters=50, warmup_ratio=0.1)
runner = dict(type='IterBasedRunner', max_iters=1200)
checkpoint_config = dict(interval=400, max_keep=2)
evaluation = None
