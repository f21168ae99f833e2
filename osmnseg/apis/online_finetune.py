"""Online one-shot fine-tuning (spec §5.5, last column; ``osmn_online_finetune.py``).

Before an object is segmented, the weights are fine-tuned on the object's first annotated
frame alone: that frame is the input image, the label, the visual-guide source and (perturbed)
the spatial-guide source (a matching model's previous frame and mask too). The training sample
goes through the config's *training* pipeline (its ``Load*`` steps dropped, the arrays given
directly), so the augmentation is the one the model was trained with, unless the config's
``online_finetune.pipeline`` gives another (the matching recipe adds a motion of the previous
frame there, which one annotated frame cannot show otherwise): one scale per iteration from
``scales`` (§4.1), a jittered, rotated, flipped visual guide, a perturbed Gaussian. Batch 1,
Adam (ε = 1e-8, fresh state per object), main loss + L2 as in training. Afterwards every
variable gets its saved value back, bit for bit.

Deliberate differences from the original (spec §12):

* quirk 26: the original ran the spatial modulator's batch norm in training mode on a batch of
  one and updated its moving statistics. ``fix_bn=True`` (the default) keeps the moving
  statistics (gamma/beta still train); ``fix_bn=False`` restores the original behaviour.
* quirk 25: nothing is written to or resumed from disk (the original resumed any leftover
  checkpoint in ``<model_save_path>/<seq>/<id>``), and objects annotated in a single frame work
  (the original crashed on ``frames[1]``).
"""
import contextlib

import keras
import numpy as np
import tensorflow as tf

from osmnseg.datasets.pipelines import Compose
from osmnseg.utils.errors import ConfigError

DEFAULT_SCALES = (0.5, 0.8, 1.0)
LR_SCHEDULES = ('constant', 'cosine')


class OnlineFinetuner:
    """Fine-tune ``model`` on one object's first frame, segment, then restore the weights.

    Args:
        model: the OSMN module (its variables are changed inside :meth:`finetuned` only).
        pipeline: the training TRANSFORMS config list (``cfg.data.train.pipeline``).
        iters: optimisation steps per object (README: 100).
        lr: Adam learning rate (README: the default 1e-5).
        scales: working-size factors, one drawn per step (DAVIS: 0.5, 0.8, 1).
        fix_bn: keep the spatial modulator's BN statistics fixed while fine-tuning (quirk 26).
        seed: seed of the augmentation; the n-th fine-tuned object uses ``(seed, n)``.
        trainable: names of the model's sub-networks that fine-tuning changes (``'backbone'``,
            ``'head'``, ``'visual_modulator'``, ``'spatial_modulator'``,
            ``'matching_modulator'``); ``None`` changes every trainable variable.
        lr_schedule: ``'constant'`` (the original) or ``'cosine'`` (``lr`` decayed to 0 over
            the ``iters`` steps, so that the last batch-1 steps move the weights least).
        finetuned_weight: ``w`` in ``saved + w * (trained - saved)``, the weights used after
            fine-tuning: 1 keeps the trained weights (the original), smaller values
            interpolate back towards the general model (WiSE-FT, Wortsman et al. 2022), which
            keeps what one frame cannot teach for objects whose look changes later.
    """

    def __init__(self, model, pipeline, iters=100, lr=1e-5, scales=DEFAULT_SCALES, fix_bn=True,
                 seed=0, trainable=None, lr_schedule='constant', finetuned_weight=1.0):
        if int(iters) < 0:
            raise ConfigError(f'online fine-tuning iters must be >= 0, got {iters}; pass a '
                              'non-negative --online-finetune value.')
        self.model = model
        self.pipeline = Compose([step for step in pipeline
                                 if not str(step.get('type', '')).startswith('Load')])
        self.iters = int(iters)
        self.scales = tuple(float(s) for s in scales)
        self.fix_bn = bool(fix_bn)
        self.seed = int(seed)
        self.variables = _finetuned_variables(model, trainable)
        if lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f'online_finetune.lr_schedule={lr_schedule!r} is unknown; use '
                              f'one of {", ".join(LR_SCHEDULES)}.')
        if lr_schedule == 'cosine':
            lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(self.iters, 1))
        self.optimizer = keras.optimizers.Adam(learning_rate=lr, epsilon=1e-8)
        self.finetuned_weight = float(finetuned_weight)
        if not 0.0 <= self.finetuned_weight <= 1.0:
            raise ConfigError(f'online_finetune.finetuned_weight={finetuned_weight!r} must lie in '
                              '[0, 1] (1: the fine-tuned weights, 0: the saved ones).')
        self._train_step = None
        self._objects_done = 0

    @classmethod
    def from_config(cls, model, cfg, iters, **overrides):
        """Build from the optional ``cfg.online_finetune`` dict (``lr``, ``lr_schedule``,
        ``scales``, ``fix_bn``, ``seed``, ``trainable``, ``finetuned_weight``, ``pipeline``);
        ``overrides`` win. The
        pipeline defaults to ``cfg.data.train.pipeline``."""
        options = dict(cfg.get('online_finetune') or {})
        options.update(overrides)
        pipeline = (options.pop('pipeline', None)
                    or ((cfg.get('data') or {}).get('train') or {}).get('pipeline'))
        if not pipeline:
            raise ConfigError('online fine-tuning needs data.train.pipeline (or '
                              'online_finetune.pipeline) in the config, the training '
                              'augmentation; add it or drop --online-finetune.')
        return cls(model, pipeline, iters, **options)

    def sample(self, frame, mask, work_size, rng):
        """One training batch built from the first frame.

        Args:
            frame: ``[H, W, 3] uint8`` RGB first frame.
            mask: ``[H, W] uint8`` 0/1 object mask of that frame.
            work_size: ``(h, w)`` test working size; the sample is ``int(h*s) x int(w*s)``.
            rng: ``numpy.random.Generator``.

        Returns:
            the pipeline's packed entries (``{'image', 'guide', 'spatial_guide', 'label'}``, a
            matching model's ``image, label, guide_image, guide_mask, prev_image, prev_mask``)
            as float32 tensors with batch 1.
        """
        scale = self.scales[rng.integers(len(self.scales))]
        out_size = (max(1, int(work_size[0] * scale)), max(1, int(work_size[1] * scale)))
        results = dict(image=frame, label=mask, prev_mask=mask, prev_image=frame,
                       guide_image=frame, guide_mask=mask, rng=rng, out_size=out_size,
                       flip_image=False,
                       sequence='<online fine-tuning>', frame='<first frame>')
        sample = self.pipeline(results)
        return {key: tf.constant(np.asarray(value)[None]) for key, value in sample.items()}

    @contextlib.contextmanager
    def finetuned(self, frame, mask, work_size):
        """Context in which ``model`` holds weights fine-tuned on ``(frame, mask)``.

        Every variable (BN statistics included) is restored exactly on exit, also after an
        error.
        """
        saved = [(variable, variable.numpy()) for variable in self.model.variables]
        fix_bn = self.model.fix_bn
        try:
            self.model.fix_bn = self.fix_bn
            self.train(frame, mask, work_size)
            yield self.model
        finally:
            for variable, value in saved:
                variable.assign(value)
            self.model.fix_bn = fix_bn

    def train(self, frame, mask, work_size):
        """Run ``iters`` steps on the first frame (fresh optimizer state), then move the
        fine-tuned variables back by ``1 - finetuned_weight`` of their change."""
        rng = np.random.default_rng([self.seed, self._objects_done])
        self._objects_done += 1
        if not self.iters:
            return
        before = [variable.numpy() for variable in self.variables]
        self._optimise(frame, mask, work_size, rng)
        if self.finetuned_weight != 1.0:
            for variable, start in zip(self.variables, before):
                change = variable.numpy() - start
                variable.assign(start + self.finetuned_weight * change)

    def _optimise(self, frame, mask, work_size, rng):
        """``iters`` Adam steps on samples of the first frame."""
        self._reset_optimizer()
        for _ in range(self.iters):
            batch = self.sample(frame, mask, work_size, rng)
            if self._train_step is None:
                self._train_step = self._compile_step(batch)
            self._train_step(batch)

    def _compile_step(self, batch):
        """The training step as one ``tf.function`` for any height and width (the scales and
        frame sizes vary, a retrace per shape would cost more than the steps themselves)."""
        model, optimizer = self.model, self.optimizer

        def step(batch):
            with tf.GradientTape() as tape:
                logits = model(batch, training=True)
                loss = model.loss(logits, batch['label']) + model.regularization_loss()
            variables = self.variables
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        signature = {key: tf.TensorSpec([1, None, None, value.shape[-1]], value.dtype)
                     for key, value in batch.items()}
        return tf.function(step, input_signature=[signature])

    def _reset_optimizer(self):
        # Adam moments and the step counter start from zero for every object (spec quirk 27);
        # the learning rate is the only optimizer variable that keeps its value.
        for variable in self.optimizer.variables:
            if variable.name != 'learning_rate':
                variable.assign(tf.zeros_like(variable))


def _finetuned_variables(model, trainable):
    """The trainable variables of the sub-networks named in ``trainable`` (all when None)."""
    if trainable is None:
        return model.trainable_variables
    names = (trainable,) if isinstance(trainable, str) else tuple(trainable)
    parts = ('backbone', 'head', 'visual_modulator', 'spatial_modulator', 'matching_modulator')
    unknown = [name for name in names if name not in parts or getattr(model, name) is None]
    if unknown or not names:
        present = [name for name in parts if getattr(model, name, None) is not None]
        raise ConfigError(f'online_finetune.trainable: {unknown or "an empty list"} is not a '
                          f'sub-network of this model; choose from {present} or set None.')
    return [variable for name in names for variable in getattr(model, name).trainable_variables]
