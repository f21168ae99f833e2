"""Optimizers (OPTIMIZERS registry): Keras 3 optimizers applied to the model's tf.Variables.

``optimizer = dict(type='Adam', lr=1e-5)`` gives Adam with the original TF1 defaults
(beta_1=0.9, beta_2=0.999, epsilon=1e-8; Keras' own default epsilon is 1e-7).

Every optimizer also takes Keras' own keyword options. Gradient accumulation and clipping are
set with ``optimizer_config=dict(accumulate=N, grad_clip=dict(max_norm=X))`` instead: the train
step implements them so that they also work under ``MirroredStrategy`` (see train_step.py).
"""
import keras

from osmnseg.registry import OPTIMIZERS


@OPTIMIZERS.register_module()
def Adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8, amsgrad=False, **keras_options):
    """Adam exactly as TF1's AdamOptimizer (same bias-corrected update and epsilon placement)."""
    return keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                                 amsgrad=amsgrad, **keras_options)


@OPTIMIZERS.register_module()
def SGD(lr, momentum=0.0, nesterov=False, **keras_options):
    """Plain or momentum SGD."""
    return keras.optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov,
                                **keras_options)


@OPTIMIZERS.register_module()
def AdamW(lr, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **keras_options):
    """Adam with decoupled weight decay."""
    return keras.optimizers.AdamW(learning_rate=lr, weight_decay=weight_decay, beta_1=beta_1,
                                  beta_2=beta_2, epsilon=epsilon, **keras_options)


def build_optimizer(optimizer_cfg):
    """Build the optimizer of ``cfg.optimizer``."""
    return OPTIMIZERS.build(optimizer_cfg, key='optimizer')
