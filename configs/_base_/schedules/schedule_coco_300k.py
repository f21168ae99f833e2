# Stage 1 of the original (spec §5.5): Adam, LR 1e-5 up to iteration 200k, then 1e-6 up to 300k
# (the original re-ran the script with a smaller LR; here one step schedule does it in one run).
optimizer = dict(type='Adam', lr=1e-5, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
# accumulate = the original iter_mean_grad (1 in every released recipe); grad_clip: none.
optimizer_config = dict(accumulate=1, grad_clip=None)
lr_config = dict(policy='step', step=[200000], gamma=0.1)
runner = dict(type='IterBasedRunner', max_iters=300000)
checkpoint_config = dict(interval=1000, max_keep=2, save_last=True)
evaluation = None
