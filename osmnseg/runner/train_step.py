"""One training iteration as a distributed ``tf.function``.

The loss is computed once per replica: the main loss (class-balanced BCE, a sum over the
replica's pixels as the original) plus the model's L2 term, divided by the number of replicas
because the optimizer sums the replicas' gradients: the update uses the mean of the replicas'
gradients, each the gradient of the original loss on ``samples_per_gpu`` samples. Under a Keras
``LossScaleOptimizer`` the loss is scaled here and a step with non-finite gradients is skipped
by the optimizer.

Gradient accumulation (the original ``iter_mean_grad``) and clipping are done here rather than
with Keras' ``gradient_accumulation_steps`` / ``global_clipnorm``: Keras decides "accumulate or
apply" with a ``tf.cond`` around the update, which ``MirroredStrategy`` rejects (``merge_call``
inside a cond), and it clips each replica's gradient before the all-reduce. Here the choice is
made in Python per iteration (two traced functions), accumulators are per-replica variables, and
the clipping norm is that of the all-reduced gradient.
"""
import keras
import tensorflow as tf


class TrainStep:
    """Callable running one iteration on a (distributed) batch.

    Args:
        model: the OSMN module (``model(batch, training=True)``, ``model.loss``,
            ``model.regularization_loss``); anything with these methods works.
        optimizer: a Keras optimizer, possibly a ``keras.optimizers.LossScaleOptimizer``; built.
        strategy: the ``tf.distribute.Strategy`` the model variables were created under.
        accumulate: apply the mean gradient of this many iterations (1: every iteration).
        max_grad_norm: clip the (mean, all-reduced) gradient to this global norm; None: off.
        jit_compile: compile the step with XLA (single-device strategies).
        eager: run eagerly instead of tracing a ``tf.function`` (debugging, smoke tests).
        reduce_retracing: trace once for unknown image sizes (devices with ``dynamic_shapes``)
            instead of once per training scale.

    ``step(batch, iteration)`` with a batch dict (per-replica values under a multi-replica
    strategy) and the 1-based iteration returns a dict of scalar float32 tensors: ``loss``
    (main + L2), ``loss_main`` and ``loss_reg``, each the mean over replicas.
    """

    def __init__(self, model, optimizer, strategy, accumulate=1, max_grad_norm=None,
                 jit_compile=False, eager=False, reduce_retracing=False):
        self.model = model
        self.optimizer = optimizer
        self.strategy = strategy
        self.accumulate = int(accumulate)
        self.max_grad_norm = None if max_grad_norm is None else float(max_grad_norm)
        self.loss_scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        self.variables = list(model.trainable_variables)
        self.accumulators = []
        if self.accumulate > 1:
            with strategy.scope():  # one copy per replica, summed when read across replicas
                self.accumulators = [
                    tf.Variable(tf.zeros_like(v), trainable=False, name='grad_accumulator',
                                synchronization=tf.VariableSynchronization.ON_READ,
                                aggregation=tf.VariableAggregation.SUM)
                    for v in self.variables]
        # the checkpointable holder of the accumulators (saved with a run's state)
        self.state = tf.Module()
        self.state.accumulators = self.accumulators
        # autograph off: the model is plain TF ops (no Python control flow on tensors), and
        # converting its code costs more than half of the step's tracing time.
        wrap = (lambda fn: fn) if eager else (
            lambda fn: tf.function(fn, jit_compile=jit_compile, autograph=False,
                                   reduce_retracing=reduce_retracing))
        self._apply = wrap(self._distributed_apply)
        self._accumulate = wrap(self._distributed_accumulate)

    # ------------------------------------------------------------------ replica side
    def _gradients(self, batch):
        num_replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        with tf.GradientTape() as tape:
            logits = self.model(batch, training=True)
            loss_main = self.model.loss(logits, batch['label'])
            loss_reg = self.model.regularization_loss()
            objective = (loss_main + loss_reg) / num_replicas
            if self.loss_scaled:
                objective = self.optimizer.scale_loss(objective)
        return tape.gradient(objective, self.variables), loss_main, loss_reg

    def _replica_accumulate(self, batch):
        grads, loss_main, loss_reg = self._gradients(batch)
        for accumulator, grad in zip(self.accumulators, grads):
            if grad is not None:
                accumulator.assign_add(grad)
        return loss_main, loss_reg

    def _replica_apply(self, batch):
        grads, loss_main, loss_reg = self._gradients(batch)
        if self.accumulators:
            grads = [None if g is None else (a.read_value() + g) / self.accumulate
                     for a, g in zip(self.accumulators, grads)]
            with tf.control_dependencies([g for g in grads if g is not None]):
                for accumulator in self.accumulators:
                    accumulator.assign(tf.zeros_like(accumulator))
        if self.max_grad_norm is not None:
            grads = self._clip(grads)
        self.optimizer.apply_gradients(zip(grads, self.variables))
        return loss_main, loss_reg

    def _clip(self, grads):
        """Scale this replica's gradients so that their all-reduced sum (the applied gradient)
        has at most ``max_grad_norm`` global norm (measured unscaled under loss scaling)."""
        context = tf.distribute.get_replica_context()
        present = [g for g in grads if g is not None]
        total = context.all_reduce(tf.distribute.ReduceOp.SUM, present) \
            if context.num_replicas_in_sync > 1 else present
        norm = tf.linalg.global_norm(total)
        if self.loss_scaled:
            norm = norm / self.optimizer.dynamic_scale
        factor = tf.minimum(1.0, self.max_grad_norm / tf.maximum(norm, 1e-12))
        return [None if g is None else g * factor for g in grads]

    # ------------------------------------------------------------------ cross-replica side
    def _reduce(self, loss_main, loss_reg):
        mean = tf.distribute.ReduceOp.MEAN
        loss_main = self.strategy.reduce(mean, loss_main, axis=None)
        loss_reg = self.strategy.reduce(mean, loss_reg, axis=None)
        return dict(loss=loss_main + loss_reg, loss_main=loss_main, loss_reg=loss_reg)

    # strategy.run around a tf.function body: the optimizer's all-reduce is a sync point and
    # must not sit inside a nested tf.function of its own.
    def _distributed_apply(self, batch):
        return self._reduce(*self.strategy.run(self._replica_apply, args=(batch,)))

    def _distributed_accumulate(self, batch):
        return self._reduce(*self.strategy.run(self._replica_accumulate, args=(batch,)))

    def is_update_iteration(self, iteration):
        """Whether iteration ``iteration`` (1-based) applies the optimizer."""
        return iteration % self.accumulate == 0

    def __call__(self, batch, iteration):
        return self._function(iteration)(batch)

    def concrete_function(self, batch, iteration):
        """The traced ``tf.function`` that iteration ``iteration`` runs on ``batch`` (its graph
        holds the forward, gradient and optimizer ops; not available with ``eager=True``)."""
        return self._function(iteration).get_concrete_function(batch)

    def _function(self, iteration):
        return self._apply if self.is_update_iteration(iteration) else self._accumulate
