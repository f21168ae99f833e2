"""Which process of a (multi-worker) run this is."""
import tensorflow as tf


def worker_info(strategy):
    """``(is_chief, task_id)`` of this process; ``(True, 0)`` unless ``strategy`` is a
    ``MultiWorkerMirroredStrategy``, where the chief is the ``chief`` task or, without one,
    worker 0 (TensorFlow's convention)."""
    resolver = getattr(strategy, 'cluster_resolver', None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return True, 0
    task_type, task_id = resolver.task_type, resolver.task_id
    has_chief = 'chief' in resolver.cluster_spec().as_dict()
    chief = task_type == 'chief' or (task_type == 'worker' and task_id == 0 and not has_chief)
    return chief, int(task_id or 0)
