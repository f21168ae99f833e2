"""Kernel floor of a traced step: every op of its graph run on its own, the times summed.

The floor is what a step would cost if its kernels ran back to back, each as fast as it runs
alone: no scheduling gaps, no op waiting for another, no Python. Timed with one thread per
kernel it becomes a lower bound (below): a time bound under it cannot be reached with these
kernels (TensorFlow's oneDNN and Eigen kernels on CPU), whatever the scheduling.

How each op is timed: copies of its ``NodeDef`` are imported (``tf.graph_util.import_graph_def``)
into a small ``tf.function`` whose arguments are random tensors of the op's static input shapes
and dtypes; the copies run one after the other (control inputs), each on arguments of its own so
that grappler cannot merge them, and all their outputs are returned so that none is pruned.
Several copies also keep the function on TensorFlow's graph path, where oneDNN's kernels replace
the default ones (a one-op function may take a path without that rewrite: a 4x slower
``MatMul``). Integer inputs (shapes, axes, sizes) keep their constant values; an input whose
shape is only known at run time (batch norm's reserve space) is the output of its producer run
the same way. Ops with the same type, attributes and inputs are timed once and counted as often
as they occur. The median call time less the fixed cost of a call (copies of an ``Identity`` of
a scalar, timed the same way), divided by the copies, is the op's time.

Run with one intra-op thread per kernel (``TF_NUM_INTRAOP_THREADS=1``), the floor is CPU time:
divided by the cores it is a lower bound for any schedule of these kernels on this machine (a
kernel spread over several threads does not do its work in less total CPU time), reported as
``lower_bound_ms``. With the default threads the floor is the kernels' wall time one after
another, which a step that runs independent kernels side by side can beat.

The ops are those of the traced graph, before grappler's run-time fusions (a conv with its bias
and activation, a batch norm with its ReLU): such pairs are timed as two kernels, which
overstates graphs made of them (inference graphs); a training step has few.

With ``other_dtype=True`` each op computing in bfloat16 is also timed in float32 and vice versa
(its ``T`` attribute and the inputs of that dtype switched), and ``best_dtype_ms`` sums the
faster of the two per op, without the casts a mixed graph would need: the floor of any choice of
float32 / bfloat16 per kernel.
"""
import collections
import os
import time

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import graph_pb2, node_def_pb2

# ops that do no kernel work of their own (aliases, graph plumbing, variable handles)
NO_WORK_TYPES = frozenset((
    'Const', 'Placeholder', 'Identity', 'IdentityN', 'StopGradient', 'NoOp', 'Snapshot',
    'VarHandleOp', 'ReadVariableOp', 'PreventGradient', 'Shape', 'ShapeN', 'Size', 'Rank'))
SWITCHABLE = (tf.float32, tf.bfloat16)
CHAINED_COPIES = 4  # copies of an op run in turn per timed call (module docstring)


def kernel_floor(graph, repeats=5, other_dtype=False, seed=0):
    """Time every op of ``graph`` alone and sum.

    Args:
        graph: a ``tf.Graph`` (``concrete_function.graph`` of the step).
        repeats: timed runs per distinct op (the median is used), after one untimed run.
        other_dtype: also time each float32 / bfloat16 op in the other of the two dtypes.
        seed: seed of the random inputs.

    Returns:
        dict ``floor_ms`` (sum over the graph's ops), ``call_overhead_us`` (the fixed cost of
        a timed call, subtracted from each op's calls),
        ``types`` (``{op type: {'count', 'ms', 'best_dtype_ms'}}``, largest first), ``untimed``
        (``{reason: {op type: count}}``: ops with resource inputs, run-time integer inputs, or
        that failed alone), ``timed_ops``, ``distinct_ops``, ``intra_op_threads`` and
        ``cores``; with ``other_dtype`` also ``best_dtype_ms``; with one intra-op thread also
        ``lower_bound_ms`` (and ``best_dtype_lower_bound_ms``): the floor divided by the cores.
    """
    timer = _KernelTimer(graph, repeats, seed)
    sums = ('ms', 'best_dtype_ms') if other_dtype else ('ms',)
    types = collections.defaultdict(lambda: dict(count=0, **dict.fromkeys(sums, 0.0)))
    untimed = collections.defaultdict(collections.Counter)
    timed = {}
    for op in graph.get_operations():
        if op.type in NO_WORK_TYPES:
            continue
        key, reason = timer.signature(op)
        if reason is not None:
            untimed[reason][op.type] += 1
            continue
        if key not in timed:
            timed[key] = timer.time_op(op, other_dtype)
        own_ms, best_ms = timed[key]
        if own_ms is None:
            untimed['fails when run alone'][op.type] += 1
            continue
        entry = types[op.type]
        entry['count'] += 1
        for name, ms in zip(sums, (own_ms, best_ms)):
            entry[name] += ms
    ordered = dict(sorted(types.items(), key=lambda item: -item[1]['ms']))
    result = dict(floor_ms=sum(t['ms'] for t in ordered.values()),
                  call_overhead_us=timer.overhead_s * 1e6, types=ordered,
                  untimed={reason: dict(counts) for reason, counts in untimed.items()},
                  timed_ops=sum(t['count'] for t in ordered.values()), distinct_ops=len(timed))
    if other_dtype:
        result['best_dtype_ms'] = sum(t['best_dtype_ms'] for t in ordered.values())
    result.update(intra_op_threads=_intra_op_threads(), cores=len(os.sched_getaffinity(0)))
    if result['intra_op_threads'] == 1:
        result['lower_bound_ms'] = result['floor_ms'] / result['cores']
        if other_dtype:
            result['best_dtype_lower_bound_ms'] = result['best_dtype_ms'] / result['cores']
    return result


def _intra_op_threads():
    """Threads one kernel may use: TF's setting, else ``TF_NUM_INTRAOP_THREADS``, else the
    cores (TF's default)."""
    configured = tf.config.threading.get_intra_op_parallelism_threads()
    return configured or int(os.environ.get('TF_NUM_INTRAOP_THREADS') or 0) or \
        len(os.sched_getaffinity(0))


class _KernelTimer:
    """Times single ops of one graph (see the module docstring)."""

    def __init__(self, graph, repeats, seed):
        self.graph = graph
        self.repeats = repeats
        self.rng = np.random.default_rng(seed)
        self.produced = {}  # op name -> its outputs run alone (inputs of run-time shape)
        self.library = None  # the graph's function library, for ops that call functions
        identity = _node_graph_def(_IDENTITY, [tf.float32], CHAINED_COPIES)
        self.overhead_s = self._call_seconds(identity, 1, [tf.constant(0.0)])

    def signature(self, op):
        """``(hashable key, None)`` of an op that can run alone, or ``(None, reason)``."""
        parts = [_bare_node(op.node_def).SerializeToString(deterministic=True)]
        for tensor in op.inputs:
            if tensor.dtype in (tf.resource, tf.variant):
                return None, 'resource or variant input'
            value = _static_integer(tensor)
            if value is not None:
                parts.append((tensor.dtype.name, np.asarray(value).tobytes(), np.shape(value)))
            elif _random_fillable(tensor):
                parts.append((tensor.dtype.name, tuple(tensor.shape)))
            elif self._producible(tensor.op):
                parts.append((tensor.dtype.name, 'from', tensor.op.name, tensor.value_index))
            else:
                return None, 'input known only at run time'
        return tuple(parts), None

    def _producible(self, op, depth=3):
        """Whether ``op``'s outputs can be made by running it alone on made inputs."""
        if depth == 0 or op.type == 'Placeholder':
            return False
        for tensor in op.inputs:
            if tensor.dtype in (tf.resource, tf.variant):
                return False
            known = _static_integer(tensor) is not None or _random_fillable(tensor)
            if not known and not self._producible(tensor.op, depth - 1):
                return False
        return True

    def time_op(self, op, other_dtype):
        """``(ms, best-dtype ms)`` of ``op`` alone (the second equals the first without
        ``other_dtype``), or ``(None, None)`` when it cannot run alone."""
        try:
            inputs = [self._input_value(tensor) for tensor in op.inputs]
            own = self._op_seconds(self._graph_def(op), len(op.outputs), inputs)
        except (tf.errors.OpError, ValueError, TypeError):
            return None, None
        best = own
        switched = _switched_dtype(op) if other_dtype else None
        if switched is not None:
            typed = _inputs_typed_by_t(op)
            switched_inputs = [tf.cast(t, switched) if index in typed else t
                               for index, t in enumerate(inputs)]
            graph_def = self._graph_def(op, [t.dtype for t in switched_inputs])
            for node in graph_def.node:
                if node.op == op.type:
                    node.attr['T'].type = switched.as_datatype_enum
            try:
                best = min(own, self._op_seconds(graph_def, len(op.outputs), switched_inputs))
            except (tf.errors.OpError, ValueError, TypeError):
                pass  # no kernel in the other dtype: the op's own time stands
        return own * 1e3, best * 1e3

    def _graph_def(self, op, input_dtypes=None):
        graph_def = _node_graph_def(op.node_def, input_dtypes or [t.dtype for t in op.inputs],
                                    CHAINED_COPIES)
        if any(value.HasField('func') for value in op.node_def.attr.values()):
            if self.library is None:
                self.library = self.graph.as_graph_def().library
            graph_def.library.CopyFrom(self.library)
        return graph_def

    def _op_seconds(self, graph_def, outputs, inputs):
        """Seconds of one run of the op of ``graph_def`` on ``inputs``: a call of its chained
        copies less the fixed cost of a call, divided by the copies."""
        seconds = self._call_seconds(graph_def, outputs, inputs) - self.overhead_s
        return max(seconds, 0.0) / CHAINED_COPIES

    def _call_seconds(self, graph_def, outputs, inputs):
        """Median seconds of calling the ops of ``graph_def`` on ``inputs`` (after one
        untimed call, which also traces)."""
        run = _runner(graph_def, outputs)
        run(*inputs)
        seconds = []
        for _ in range(self.repeats):
            start = time.perf_counter()
            run(*inputs)
            seconds.append(time.perf_counter() - start)
        return float(np.median(seconds))

    def _input_value(self, tensor):
        """A tensor to feed for ``tensor``: its constant value, random values of its shape, or
        its producer's output run alone when the shape is known only at run time."""
        value = _static_integer(tensor)
        if value is not None:
            return tf.constant(value, tensor.dtype)
        if _random_fillable(tensor):
            shape = tensor.shape.as_list()
            if tensor.dtype == tf.bool:
                return tf.constant(self.rng.random(shape) < 0.5)
            return tf.cast(tf.constant(self.rng.uniform(-1.0, 1.0, shape), tf.float32),
                           tensor.dtype)
        producer = tensor.op
        if producer.name not in self.produced:
            values = [self._input_value(t) for t in producer.inputs]
            run = _runner(self._graph_def(producer), len(producer.outputs))
            self.produced[producer.name] = run(*values)  # the first copy's outputs come first
        return self.produced[producer.name][tensor.value_index]


def _node_graph_def(node_def, input_dtypes, copies):
    """A GraphDef of ``copies`` copies of ``node_def``, each after the previous one (a control
    input) so that one call runs them in turn, and each reading placeholders of its own (fed
    the same values) so that grappler cannot merge them into one."""
    graph_def = graph_pb2.GraphDef()
    for copy in range(copies):
        names = []
        for index, dtype in enumerate(input_dtypes):
            placeholder = graph_def.node.add()
            placeholder.name = f'input_{copy}_{index}'
            placeholder.op = 'Placeholder'
            placeholder.attr['dtype'].type = tf.as_dtype(dtype).as_datatype_enum
            names.append(placeholder.name)
        node = graph_def.node.add()
        node.CopyFrom(_bare_node(node_def))
        node.name = f'kernel_{copy}'
        node.input.extend(names)
        if copy:
            node.input.append(f'^kernel_{copy - 1}')
    return graph_def


def _bare_node(node_def):
    """A copy of ``node_def`` without its name, inputs and device: the op and its attributes."""
    node = node_def_pb2.NodeDef()
    node.CopyFrom(node_def)
    node.name = ''
    node.device = ''
    del node.input[:]
    return node


def _static_integer(tensor):
    """The constant value of an integer ``tensor`` (shapes, axes, sizes), else ``None``."""
    return tf.get_static_value(tensor) if tensor.dtype.is_integer else None


def _random_fillable(tensor):
    """Whether random values can stand for ``tensor``: a non-integer of static shape."""
    return not tensor.dtype.is_integer and tensor.shape.is_fully_defined()


def _runner(graph_def, outputs):
    """A callable of the op's inputs running every copy of the op in ``graph_def``; it returns
    the ``outputs`` outputs of every copy, so that grappler prunes none of them. Each copy's
    placeholders are fed the same values, passed as separate arguments of the
    ``tf.function``: inside it they are distinct tensors, so the copies stay distinct ops."""
    placeholders = [node.name for node in graph_def.node if node.op == 'Placeholder']
    kernels = [node.name for node in graph_def.node if node.op != 'Placeholder']
    names = [f'{kernel}:{index}' for kernel in kernels for index in range(outputs)]

    def run_all(*values):
        returned = tf.graph_util.import_graph_def(
            graph_def, input_map=dict(zip(placeholders, values)),
            return_elements=names or kernels, name='')
        return returned if names else []

    function = tf.function(run_all, autograph=False)
    return lambda *values: function(*(list(values) * len(kernels)))


def _inputs_typed_by_t(op):
    """Indices of ``op``'s inputs whose dtype is its ``T`` attribute (per its OpDef)."""
    indices, position = set(), 0
    for arg in op.op_def.input_arg:
        if arg.number_attr:
            count = op.get_attr(arg.number_attr)
        elif arg.type_list_attr:
            count = len(op.get_attr(arg.type_list_attr))
        else:
            count = 1
        if arg.type_attr == 'T':
            indices.update(range(position, position + count))
        position += count
    return indices


def _switched_dtype(op):
    """The other of float32 / bfloat16 for an op computing in one of them (its ``T``)."""
    try:
        dtype = tf.as_dtype(op.get_attr('T'))
    except ValueError:
        return None
    if dtype not in SWITCHABLE:
        return None
    return tf.bfloat16 if dtype == tf.float32 else tf.float32


_IDENTITY = node_def_pb2.NodeDef(name='kernel', op='Identity')
_IDENTITY.attr['T'].type = tf.float32.as_datatype_enum
