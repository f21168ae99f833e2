# Stage 2 of the original (spec §5.5): DAVIS 2017 fine-tuning, constant LR 1e-6, 50k iterations.
optimizer = dict(type='Adam', lr=1e-6, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
optimizer_config = dict(accumulate=1, grad_clip=None)
lr_config = dict(policy='constant')
runner = dict(type='IterBasedRunner', max_iters=50000)
checkpoint_config = dict(interval=1000, max_keep=2, save_last=True)
evaluation = dict(interval=5000, metric=['J', 'F'])
