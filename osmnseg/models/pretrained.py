"""Pretrained initialisation of one sub-network from config (mmseg's ``init_cfg``).

A backbone or modulator config may carry
``init_cfg=dict(type='Pretrained', checkpoint=PATH, prefix='MobilenetV1')``: its variables are
then initialised, by name and shape, from the checkpoint entries under ``prefix/``. Two formats
are read:

- a TensorFlow checkpoint (a prefix such as ``mobilenet_v1_1.0_224.ckpt``, or a directory with a
  ``checkpoint`` file): the TF-slim ImageNet releases;
- a frozen GraphDef ``.pb``: its ``Const`` nodes are the weights under the same names (the
  format TF-slim also publishes, e.g. ``mobilenet_v1_1.0_224_frozen.pb``).

An entry ``prefix/<rest>`` initialises the module variable ``<pretrained_scope>/<rest>`` (names
relative to the module; ``pretrained_scope`` is ``''`` for backbones and ``'modulator'`` for the
visual modulators, whose ImageNet network lives under ``modulator/``).
"""
import os

import tensorflow as tf
from tensorflow.core.framework import graph_pb2

from osmnseg.models.checkpoint_import import ImportReport, assign_loaded
from osmnseg.models.layers import join_scope
from osmnseg.utils.errors import CheckpointError, ConfigError

INIT_TYPES = ('Pretrained',)
# The input convention each known ImageNet release was trained with (``normalize_image`` mode).
EXPECTED_NORMALIZATION = {'MobilenetV1': 'rgb_unit'}


class FrozenGraphWeights:
    """The ``Const`` tensors of a frozen GraphDef ``.pb``, read like a checkpoint.

    Args:
        path: the ``.pb`` file.
        key: the config key naming it (for messages).
    """

    def __init__(self, path, key):
        graph = graph_pb2.GraphDef()
        try:
            with open(path, 'rb') as f:
                graph.ParseFromString(f.read())
        except Exception as err:  # protobuf raises its own DecodeError
            raise CheckpointError(f'{key}: {path} is not a readable frozen GraphDef '
                                  f'({type(err).__name__}); give a TF checkpoint prefix or a '
                                  f'.pb file.') from err
        self._tensors = {node.name: node.attr['value'].tensor for node in graph.node
                         if node.op == 'Const'}

    def get_variable_to_shape_map(self):
        """``{name: [dims]}`` of every constant."""
        return {name: [dim.size for dim in tensor.tensor_shape.dim]
                for name, tensor in self._tensors.items()}

    def get_tensor(self, name):
        """The constant ``name`` as a numpy array."""
        return tf.make_ndarray(self._tensors[name])


def open_weights(path, key):
    """A reader (``get_variable_to_shape_map``, ``get_tensor``) of a checkpoint or ``.pb``.

    Raises:
        CheckpointError: the path does not exist or is not a checkpoint / frozen graph.
    """
    if path.endswith('.pb'):
        if not os.path.isfile(path):
            raise CheckpointError(f'{key}: {path} does not exist; fix the path (relative paths '
                                  'start at the current directory).')
        return FrozenGraphWeights(path, key)
    if not (os.path.exists(path) or os.path.exists(path + '.index')):
        raise CheckpointError(f'{key}: {path} does not exist (neither the file nor '
                              f'{path}.index); give a TF checkpoint prefix or a .pb file.')
    try:
        return tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as err:
        raise CheckpointError(f'{key}: {path} cannot be opened as a TensorFlow checkpoint '
                              f'({type(err).__name__}); give a checkpoint prefix or a .pb '
                              'file.') from err


def check_init_cfg(init_cfg, key):
    """Validate an ``init_cfg`` dict; returns ``(checkpoint, prefix)``."""
    if not hasattr(init_cfg, 'get') or init_cfg.get('type') not in INIT_TYPES:
        raise ConfigError(f"{key} must be dict(type='Pretrained', checkpoint=PATH, "
                          f"prefix='MobilenetV1'), got {init_cfg!r}.")
    unknown = sorted(set(init_cfg) - {'type', 'checkpoint', 'prefix'})
    if unknown:
        raise ConfigError(f'{key} has unknown keys {unknown}; it takes checkpoint and prefix.')
    checkpoint = init_cfg.get('checkpoint')
    if not checkpoint or not isinstance(checkpoint, str):
        raise ConfigError(f'{key}.checkpoint must be the path of a checkpoint or .pb file, got '
                          f'{checkpoint!r}.')
    return checkpoint, init_cfg.get('prefix', 'MobilenetV1')


def init_pretrained(module, init_cfg, key):
    """Initialise ``module``'s variables from ``init_cfg`` (see the module docstring).

    Args:
        module: a backbone or modulator (``reference_variables()``, ``scope``, optional
            ``pretrained_scope``).
        init_cfg: ``dict(type='Pretrained', checkpoint=PATH, prefix='MobilenetV1')``.
        key: its config key, e.g. ``'model.backbone.init_cfg'`` (named in errors).

    Returns:
        ImportReport (``missing``: the module's variables that got no value, e.g. new heads).

    Raises:
        ConfigError: a malformed ``init_cfg``.
        CheckpointError: unreadable file, or no entry matching a variable of the module.
    """
    checkpoint, prefix = check_init_cfg(init_cfg, key)
    reader = open_weights(checkpoint, key)
    shapes = reader.get_variable_to_shape_map()
    variables = _relative_variables(module)
    scope = getattr(module, 'pretrained_scope', '')
    report = ImportReport(checkpoint, 'pretrained', title=key)
    for name in sorted(shapes):
        if not name.startswith(prefix + '/'):
            continue
        target = join_scope(scope, name[len(prefix) + 1:])
        if target not in variables:
            continue
        report.add_match(name, target, shapes[name], variables[target])
    if not report.loaded:
        raise CheckpointError(
            f'{key}: no entry of {checkpoint} under {prefix}/ matches a variable of the module '
            f'by name and shape (module variables: {", ".join(list(variables)[:2])}, ...); '
            'check init_cfg.prefix and that the file holds this network.')
    assign_loaded(variables, checkpoint, reader, report)
    report.set_missing(variables)
    return report


def check_normalization(init_cfgs, mode, source):
    """Raise ``ConfigError`` when the inputs' normalisation is not the input convention of the
    pretrained weights (``EXPECTED_NORMALIZATION``; e.g. TF-slim MobileNet weights expect RGB
    in [-1, 1], ``mode='rgb_unit'``).

    Args:
        init_cfgs: ``{sub-network name: init_cfg}``.
        mode: the ``normalize_image`` mode the inputs are given in (the caller asks its data
            pipeline); ``None``: they are not normalised, nothing to check.
        source: where the inputs come from, for the message, e.g. ``'data.train.pipeline'``.
    """
    for name, init_cfg in init_cfgs.items():
        prefix = init_cfg.get('prefix', 'MobilenetV1')
        expected = EXPECTED_NORMALIZATION.get(prefix)
        if expected and mode is not None and mode != expected:
            raise ConfigError(
                f"model.{name}.init_cfg loads {prefix} weights, which expect inputs normalised "
                f"with mode='{expected}', but {source} normalises with mode={mode!r}; set "
                f"mode='{expected}' in its normalisation step.")


def _relative_variables(module):
    """``{name relative to the module's own scope: variable}``."""
    strip = module.scope + '/' if module.scope else ''
    return {name[len(strip):]: variable
            for name, variable in module.reference_variables().items()}
