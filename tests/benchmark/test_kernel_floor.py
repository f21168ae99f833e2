"""osmnseg.benchmark.kernel_floor: every op of a graph timed alone."""
import os

import tensorflow as tf

from osmnseg.benchmark.kernel_floor import kernel_floor


def _graph(fn, *specs):
    return tf.function(fn, autograph=False).get_concrete_function(*specs).graph


def test_each_op_is_timed_once_per_signature_and_counted_per_occurrence():
    def two_products(a, b):
        return tf.nn.relu(tf.matmul(a, b)) + tf.nn.relu(tf.matmul(a + 1.0, b))

    floor = kernel_floor(_graph(two_products, tf.TensorSpec([64, 32]),
                                tf.TensorSpec([32, 16])), repeats=2)
    types = floor['types']
    assert types['MatMul']['count'] == 2 and types['Relu']['count'] == 2
    assert types['AddV2']['count'] == 2  # a + 1 and the sum, two signatures
    assert floor['timed_ops'] == 6 and floor['distinct_ops'] == 4
    assert floor['floor_ms'] == sum(entry['ms'] for entry in types.values())
    assert all(entry['ms'] >= 0 for entry in types.values())
    assert 'best_dtype_ms' not in floor and 'best_dtype_ms' not in types['MatMul']
    assert not {'Placeholder', 'Identity'} & set(types)  # no kernel work of their own


def test_a_larger_product_costs_more_alone():
    small = kernel_floor(_graph(tf.matmul, tf.TensorSpec([64, 64]), tf.TensorSpec([64, 64])),
                         repeats=3)
    large = kernel_floor(_graph(tf.matmul, tf.TensorSpec([768, 768]),
                                tf.TensorSpec([768, 768])), repeats=3)
    assert large['floor_ms'] > 10 * small['floor_ms'] and large['floor_ms'] > 0.1


def test_resource_ops_are_listed_untimed_and_gradient_inputs_of_run_time_shape_are_made():
    scale = tf.Variable(tf.ones([8]))
    offset = tf.Variable(tf.zeros([8]))
    counter = tf.Variable(0.0)

    def batch_norm_step(x):
        with tf.GradientTape() as tape:
            y, *_ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=scale, offset=offset, mean=tf.constant([], tf.float32),
                variance=tf.constant([], tf.float32), epsilon=1e-3, is_training=True)
            loss = tf.reduce_sum(y * y)
        counter.assign_add(1.0)
        return tape.gradient(loss, [scale, offset])

    graph = _graph(batch_norm_step, tf.TensorSpec([2, 8, 8, 8]))
    grad_op = [op for op in graph.get_operations() if op.type == 'FusedBatchNormGradV3'][0]
    assert not all(t.shape.is_fully_defined() for t in grad_op.inputs)  # reserve space
    floor = kernel_floor(graph, repeats=2)
    assert floor['types']['FusedBatchNormGradV3']['count'] == 1
    assert floor['types']['FusedBatchNormV3']['count'] == 1
    assert floor['untimed']['resource or variant input'] == {'AssignAddVariableOp': 1}


def test_other_dtype_gives_the_faster_of_float32_and_bfloat16_per_op():
    graph = _graph(lambda a, b: tf.nn.relu6(tf.matmul(a, b)),
                   tf.TensorSpec([256, 256], tf.bfloat16), tf.TensorSpec([256, 256], tf.bfloat16))
    floor = kernel_floor(graph, repeats=2, other_dtype=True)
    for entry in floor['types'].values():
        assert 0 <= entry['best_dtype_ms'] <= entry['ms']
    assert floor['best_dtype_ms'] == sum(e['best_dtype_ms'] for e in floor['types'].values())


def test_with_one_thread_per_kernel_the_floor_over_the_cores_is_a_lower_bound(monkeypatch):
    from osmnseg.benchmark import kernel_floor as module

    graph = _graph(tf.matmul, tf.TensorSpec([128, 128]), tf.TensorSpec([128, 128]))
    monkeypatch.setattr(module, '_intra_op_threads', lambda: 1)
    floor = kernel_floor(graph, repeats=2, other_dtype=True)
    assert floor['intra_op_threads'] == 1 and floor['cores'] >= 1
    assert floor['lower_bound_ms'] == floor['floor_ms'] / floor['cores']
    assert floor['best_dtype_lower_bound_ms'] == floor['best_dtype_ms'] / floor['cores']
    monkeypatch.setattr(module, '_intra_op_threads', lambda: 2)
    assert 'lower_bound_ms' not in kernel_floor(graph, repeats=2)


def test_intra_op_threads_follow_the_environment_when_tf_is_not_configured(monkeypatch):
    from osmnseg.benchmark import kernel_floor as module

    monkeypatch.setattr(tf.config.threading, 'get_intra_op_parallelism_threads', lambda: 0)
    monkeypatch.setenv('TF_NUM_INTRAOP_THREADS', '1')
    assert module._intra_op_threads() == 1
    monkeypatch.delenv('TF_NUM_INTRAOP_THREADS')
    assert module._intra_op_threads() == len(os.sched_getaffinity(0))
