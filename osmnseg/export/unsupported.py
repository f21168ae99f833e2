"""Naming the op a conversion target cannot express and the layer that uses it."""
import os

from osmnseg.utils.errors import ConfigError

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../osmnseg
_ROOT = os.path.dirname(_PACKAGE)
_NOT_LAYERS = (os.path.join(_PACKAGE, 'export'), os.path.join(_PACKAGE, 'models', 'layers'))


def op_origin(function, op_type):
    """Where the model's Python code creates the first ``op_type`` op of ``function``.

    Args:
        function: a ``tf.function`` of :func:`~osmnseg.export.graphs.build_graphs`.
        op_type: a TensorFlow op type, e.g. ``'ExtractImagePatches'``.

    Returns:
        ``'osmnseg/models/modulators/matching.py:223 (_patches, called from
        _local_matching)'``: the innermost frame of the model's code outside the shared layer
        helpers and its caller; ``None`` when no such op is found.
    """
    graphs, seen = [function.get_concrete_function().graph], set()
    while graphs:
        graph = graphs.pop()
        for op in graph.get_operations():
            if op.type == op_type:
                return _describe(op.traceback)
        # the model's own compiled methods are nested functions of the graph
        for name, nested in getattr(graph, '_functions', {}).items():
            if name not in seen and getattr(nested, 'graph', None) is not None:
                seen.add(name)
                graphs.append(nested.graph)
    return None


def _describe(traceback):
    frames = [frame for frame in traceback if frame.filename.startswith(_PACKAGE)
              and not frame.filename.startswith(_NOT_LAYERS)]
    if not frames:
        return None
    where = f'{os.path.relpath(frames[-1].filename, _ROOT)}:{frames[-1].lineno}'
    caller = f', called from {frames[-2].name}' if len(frames) > 1 else ''
    return f'{where} ({frames[-1].name}{caller})'


def unsupported_op_error(target, graph_name, function, op_type):
    """The one-line :class:`ConfigError` for an op ``target`` cannot express."""
    origin = op_origin(function, op_type) or f'the graph {graph_name}'
    return ConfigError(f'{target} cannot express the TensorFlow op {op_type}, used by '
                       f'{origin}; export another format, or build that layer from ops the '
                       'target supports.')
