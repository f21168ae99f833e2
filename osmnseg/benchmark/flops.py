"""Analytic FLOP counts from a traced TensorFlow graph.

A function is traced (never executed) with fully static input shapes; every convolution-like op
that contributes to its outputs is counted as 2 x its multiply-adds, from the op's static input
and output shapes:

| op | FLOP |
|---|---|
| ``Conv2D``, ``Conv2DBackpropInput``, ``Conv2DBackpropFilter`` | 2·N·Ho·Wo·Co·kh·kw·Ci |
| ``DepthwiseConv2dNative`` (+ its two backprops) | 2·N·Ho·Wo·(C·M)·kh·kw |
| ``MatMul``, ``BatchMatMulV2/V3`` | 2·(batch)·M·K·N |

(Ho, Wo, Co: the conv's output = the ``out_backprop`` of its backprops, so a transposed conv
counts ``2·N·h·w·Cin·k·k·Cout`` from its small input; the side outputs' bilinear upsampling
runs as products with dense interpolation matrices and counts as such.) Element-wise ops, pools and resizes are
not counted: they are memory-bound and their FLOPs are negligible next to the convolutions.

Nested ``tf.function``s (the segmentor's compiled methods) are inlined while tracing, so their
ops get the static shapes of the outer call.
"""
import contextlib

import numpy as np
import tensorflow as tf

from osmnseg.models.modulators.matching import MatchingMemory

from osmnseg.datasets.pipelines import DEFAULT_GUIDE_SIZE

_CONV = ('Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter')
_DEPTHWISE = ('DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput',
              'DepthwiseConv2dNativeBackpropFilter')
_BATCH_MATMUL = ('BatchMatMulV2', 'BatchMatMulV3')
COUNTED_OPS = _CONV + _DEPTHWISE + ('MatMul',) + _BATCH_MATMUL


def _static(shape, op):
    dims = tf.TensorShape(shape).as_list()
    if dims is None or any(d is None for d in dims):
        raise ValueError(f'{op.type} {op.name!r} has a shape that is not static ({shape}); '
                         'trace with fully defined input shapes.')
    return dims


def _nhwc(dims, op):
    """``(N, H, W, C)`` of a 4-D activation shape, honouring the op's ``data_format``."""
    if op.get_attr('data_format') == b'NCHW':
        n, c, h, w = dims
        return n, h, w, c
    return tuple(dims)


def _filter_and_result(op):
    """Static ``(filter dims, conv output dims)`` of a conv-like op (any of its three forms)."""
    if op.type.endswith('BackpropInput'):
        return _static(op.inputs[1].shape, op), _static(op.inputs[2].shape, op)
    if op.type.endswith('BackpropFilter'):
        return _static(op.outputs[0].shape, op), _static(op.inputs[2].shape, op)
    return _static(op.inputs[1].shape, op), _static(op.outputs[0].shape, op)


def op_flops(op):
    """FLOPs (2 x multiply-adds) of one graph op; 0 for ops that are not counted."""
    if op.type in _CONV + _DEPTHWISE:
        kernel, result = _filter_and_result(op)
        n, h, w, c = _nhwc(result, op)
        kh, kw, cin = kernel[:3]
        per_output = kh * kw * (1 if op.type in _DEPTHWISE else cin)
        return 2 * n * h * w * c * per_output
    if op.type == 'MatMul':
        a = _static(op.inputs[0].shape, op)
        m, n = _static(op.outputs[0].shape, op)
        k = a[0] if op.get_attr('transpose_a') else a[1]
        return 2 * m * k * n
    if op.type in _BATCH_MATMUL:
        a = _static(op.inputs[0].shape, op)
        result = _static(op.outputs[0].shape, op)
        k = a[-2] if op.get_attr('adj_x') else a[-1]
        return 2 * int(np.prod(result)) * k
    return 0


def _live_ops(graph):
    """The ops that the graph's outputs and control outputs depend on (what actually runs)."""
    stack = [t.op for t in graph.outputs] + list(graph.control_outputs)
    seen = {}
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen[op.name] = op
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen.values()


def graph_flops(graph):
    """Total FLOPs of the counted ops a ``FuncGraph``'s outputs depend on."""
    return int(sum(op_flops(op) for op in _live_ops(graph)))


@contextlib.contextmanager
def _inlined_functions():
    """Make nested ``tf.function`` calls trace their Python body into the caller's graph."""
    previous = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(previous)


def trace_flops(fn, *specs):
    """FLOPs of ``fn(*inputs)`` for inputs described by ``specs``.

    Args:
        fn: a Python callable of tensors (it may call ``tf.function``s; they are inlined).
        *specs: nests of ``tf.TensorSpec`` with fully defined shapes, one per argument.

    Returns:
        int: 2 x the multiply-adds of its convolutions and matrix products.
    """
    with _inlined_functions():
        concrete = tf.function(fn, autograph=False).get_concrete_function(*specs)
    return graph_flops(concrete.graph)


def visual_params_spec(model, objects):
    """``{layer: TensorSpec([objects, C])}`` of the model's visual parameters."""
    params = model.encode_guide(tf.zeros([1, DEFAULT_GUIDE_SIZE, DEFAULT_GUIDE_SIZE, 3]))
    return {name: tf.TensorSpec([objects] + v.shape.as_list()[1:], v.dtype)
            for name, v in params.items()}


def matching_memory_spec(model, size, objects):
    """``MatchingMemory`` of ``TensorSpec``s for K objects at ``size = (H, W)`` (annotated and
    previous frames of that size)."""
    height, width = size
    stride = model.matching_modulator.source_stride
    grid = [-(-height // stride), -(-width // stride), model.matching_modulator.embed_channels]
    masks = tf.TensorSpec([objects, height, width, 1])
    return MatchingMemory(tf.TensorSpec([objects] + grid), masks, tf.TensorSpec([1] + grid),
                          masks)


def frame_flops(model, size, objects=1):
    """FLOPs of one frame with ``objects`` objects at ``size = (H, W)`` (``segment`` of one
    image and K guides, or a matching model's ``track``): the shared layers once and the
    modulated rest for every object."""
    height, width = size
    image = tf.TensorSpec([1, height, width, 3])
    params = visual_params_spec(model, objects)
    if model.matching_modulator is not None:
        return trace_flops(lambda i, p, m: model.track(i, p, m)['logits'], image, params,
                           matching_memory_spec(model, size, objects))
    return trace_flops(model.segment, image, tf.TensorSpec([objects, height, width, 1]),
                       params)


def guide_flops(model, guide_size=DEFAULT_GUIDE_SIZE):
    """FLOPs of encoding one object's ``guide_size``-square visual guide (``encode_guide``)."""
    return trace_flops(model.encode_guide, tf.TensorSpec([1, guide_size, guide_size, 3]))


def batch_spec(batch_size, size, guide_size=DEFAULT_GUIDE_SIZE):
    """``TensorSpec``s of a training batch dict (docs/architecture.md) at ``size = (H, W)``."""
    height, width = size
    return dict(image=tf.TensorSpec([batch_size, height, width, 3]),
                guide=tf.TensorSpec([batch_size, guide_size, guide_size, 3]),
                spatial_guide=tf.TensorSpec([batch_size, height, width, 1]),
                label=tf.TensorSpec([batch_size, height, width, 1]))


def train_flops(model, batch_size, size, guide_size=DEFAULT_GUIDE_SIZE):
    """FLOPs of one training iteration's forward and backward pass (loss + L2, gradients of
    every trainable variable; the optimizer update is not counted)."""

    def forward_backward(batch):
        with tf.GradientTape() as tape:
            logits = model(batch, training=True)
            loss = model.loss(logits, batch['label']) + model.regularization_loss()
        return tape.gradient(loss, model.trainable_variables)

    return trace_flops(forward_backward, batch_spec(batch_size, size, guide_size))


def gflop(flops):
    """FLOPs as GFLOP (float, 10^9)."""
    return float(np.float64(flops) / 1e9)
