"""Load the weights of a checkpoint into an OSMN model, whatever wrote it, with a report.

Five naming schemes are recognised from the variable names a checkpoint stores
(``osmn_spec.md`` §9):

- ``osmnseg`` (native): object-graph keys ``model/.../.ATTRIBUTES/VARIABLE_VALUE``, restored by
  ``tf.train.Checkpoint``;
- ``osmn`` (original OSMN, §9.5): ``osmn/seg/conv4/conv4_2/weights`` -> the variable of the same
  reference name;
- ``slim_vgg16`` (§9.3): ``vgg_16/conv3/conv3_1/weights`` -> ``osmn/modulator/...`` AND
  ``osmn/seg/...``;
- ``slim_mobilenet_v1`` (§9.4): ``MobilenetV1/Conv2d_3_depthwise/depthwise_weights`` ->
  ``osmn/modulator/...`` AND ``osmn/seg/...``;
- ``deeplab`` (Caffe-converted, §9.6): ``conv3_2/w``, ``fc6_1/b`` ->
  ``osmn/seg/conv3/conv3_2/weights``, ``osmn/seg/fc6_1/biases``.

Name-based schemes are matched by name AND shape against ``model.reference_variables()``; an
entry whose shape differs (ImageNet ``fc8``, MaskTrack's 4-channel ``conv1_1`` kernel) is skipped
and reported. The DeepLab rule knowingly fixes quirk 4 of the reference loader, which never loaded
the ASPP ``fcX_k`` weights. Training state (``global_step``, Adam slots and power accumulators,
exponential-moving-average shadows) is ignored.
"""
import collections
import dataclasses
import re
import typing

import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2
from terminaltables import AsciiTable

from osmnseg.utils.errors import CheckpointError

OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH'
NATIVE_ROOT = 'model'
_VARIABLE_ATTRIBUTE = 'VARIABLE_VALUE'
_TRAINING_STATE = re.compile(r'^(Adam(_\d+)?|ExponentialMovingAverage|beta[12]_power|global_step)$')
_CAFFE_SUFFIXES = {'w': 'weights', 'b': 'biases'}

Loaded = collections.namedtuple('Loaded', 'checkpoint_name model_name')
ShapeMismatch = collections.namedtuple(
    'ShapeMismatch', 'checkpoint_name model_name checkpoint_shape model_shape')


@dataclasses.dataclass
class ImportReport:
    """What a checkpoint import did.

    Attributes:
        path: the checkpoint prefix that was read.
        scheme: the detected naming scheme (a key of ``SCHEMES``).
        loaded: ``Loaded(checkpoint_name, model_name)`` per assigned model variable.
        skipped_shape: ``ShapeMismatch`` per name match whose shapes differ (not assigned).
        missing: reference names of the model variables that received no value.
        unexpected: checkpoint entries that name no model variable.
        ignored: checkpoint entries that are state rather than weights (optimizer slots, step
            counters, EMA shadows; in native checkpoints also RNG states, which are restored).
        title: the table's title; default: the scheme's description and the path.
    """
    path: str
    scheme: str
    loaded: list = dataclasses.field(default_factory=list)
    skipped_shape: list = dataclasses.field(default_factory=list)
    missing: list = dataclasses.field(default_factory=list)
    unexpected: list = dataclasses.field(default_factory=list)
    ignored: list = dataclasses.field(default_factory=list)
    title: str = ''

    def add_match(self, checkpoint_name, model_name, checkpoint_shape, variable):
        """Record a name match: ``loaded`` when the shapes agree, else ``skipped_shape``."""
        model_shape = variable.shape.as_list()
        if list(checkpoint_shape) == model_shape:
            self.loaded.append(Loaded(checkpoint_name, model_name))
        else:
            self.skipped_shape.append(ShapeMismatch(checkpoint_name, model_name,
                                                    list(checkpoint_shape), model_shape))

    def set_missing(self, variables):
        """``missing`` = the names of ``variables`` (a ``{name: variable}``) not loaded."""
        loaded = {item.model_name for item in self.loaded}
        self.missing = [name for name in variables if name not in loaded]

    @property
    def complete(self):
        """True when every model variable was loaded and every model entry was used."""
        return not (self.missing or self.unexpected or self.skipped_shape)

    def summary(self, first=3):
        """A terminaltables table: one row per list with its count and its first names."""
        rows = [['', 'count', f'first {first}']]
        for title, names in (
                ('loaded', [item.model_name for item in self.loaded]),
                ('skipped (shape)', [f'{item.checkpoint_name} {item.checkpoint_shape} -> '
                                     f'{item.model_name} {item.model_shape}'
                                     for item in self.skipped_shape]),
                ('missing', self.missing),
                ('unexpected', self.unexpected),
                ('ignored (training state)', self.ignored)):
            more = f'\n(+{len(names) - first} more)' if len(names) > first else ''
            rows.append([title, len(names), '\n'.join(names[:first]) + more])
        title = self.title or f'{SCHEMES[self.scheme].description}: {self.path}'
        table = AsciiTable(rows, title=f' {title} ')
        table.inner_row_border = True
        return table.table


@dataclasses.dataclass(frozen=True)
class NamingScheme:
    """How the entries of one kind of checkpoint map onto reference variable names.

    Attributes:
        description: human-readable name used in messages.
        targets: ``checkpoint_name -> list of reference names`` (empty: no target); None for
            the native scheme, which is restored through the object graph instead.
    """
    description: str
    targets: typing.Optional[typing.Callable[[str], list]] = None


def _same_name(name):
    return [name]


def _both_copies(scope):
    """ImageNet weights initialise both the visual modulator and the segmentation network."""
    def targets(name):
        rest = name[len(scope):]
        return [f'osmn/modulator{rest}', f'osmn/seg{rest}']
    return targets


def _caffe_targets(name):
    """``conv3_2/w`` -> ``osmn/seg/conv3/conv3_2/weights``, ``fc6_1/b`` -> ``.../fc6_1/biases``."""
    parts = name.split('/')
    if len(parts) != 2 or parts[1] not in _CAFFE_SUFFIXES:
        return []
    layer = parts[0]
    path = f'{layer[:-2]}/{layer}' if layer.startswith('conv') else layer
    return [f'osmn/seg/{path}/{_CAFFE_SUFFIXES[parts[1]]}']


SCHEMES = {
    'osmnseg': NamingScheme('native osmnseg'),
    'osmn': NamingScheme('original OSMN', _same_name),
    'slim_vgg16': NamingScheme('TF-slim VGG16', _both_copies('vgg_16')),
    'slim_mobilenet_v1': NamingScheme('TF-slim MobileNet v1', _both_copies('MobilenetV1')),
    'deeplab': NamingScheme('DeepLab/Caffe-converted', _caffe_targets),
}
_SCOPES = {'osmn': 'osmn', 'vgg_16': 'slim_vgg16', 'MobilenetV1': 'slim_mobilenet_v1'}


def detect_scheme(path, names):
    """Return the ``SCHEMES`` key of a checkpoint from the names it stores.

    Args:
        path: the checkpoint prefix (for the error message).
        names: iterable of the checkpoint's entry names.
    """
    names = list(names)
    if OBJECT_GRAPH_KEY in names:
        return 'osmnseg'
    scopes = {name.split('/')[0] for name in names if '/' in name}
    for scope, scheme in _SCOPES.items():
        if scope in scopes:
            return scheme
    if any(_caffe_targets(name) for name in names):
        return 'deeplab'
    examples = ', '.join(sorted(names)[:3]) or 'nothing'
    raise CheckpointError(
        f'checkpoint {path} stores {examples} ..., which is none of the known naming schemes '
        f'(native osmnseg, osmn/..., vgg_16/..., MobilenetV1/..., Caffe conv1_1/w); '
        f'convert it to one of them first.')


def is_training_state(name):
    """True for optimizer slots, power accumulators, EMA shadows and step counters."""
    return '/' not in name or bool(_TRAINING_STATE.match(name.rsplit('/', 1)[1]))


def import_checkpoint(model, path, reader, strict=False, partial=False):
    """Load the checkpoint read by ``reader`` into ``model``; the caller re-applies fixed weights.

    Args:
        model: a module with ``reference_variables() -> {reference_name: tf.Variable}``.
        path: the checkpoint prefix behind ``reader`` (restored from, and named in messages).
        reader: ``tf.train.load_checkpoint(path)``.
        strict: raise instead of loading when any variable would stay missing, any entry is
            unexpected or any shape differs.
        partial: load what matches from a native checkpoint of another model (``load_from``):
            whole sub-networks may be missing and entries of another shape are skipped (the
            matched entries are assigned by name). Without it both are refused.

    Returns:
        ImportReport.

    Raises:
        CheckpointError: unknown scheme, nothing matches, a strict load that is not complete, or
            a tensor that cannot be read.
    """
    shapes = reader.get_variable_to_shape_map()
    scheme = detect_scheme(path, shapes)
    variables = model.reference_variables()
    if scheme == 'osmnseg':
        report = _plan_native(model, variables, path, reader, shapes)
    else:
        report = _plan_named(variables, path, shapes, scheme)
    if not report.loaded:
        raise CheckpointError(
            f'checkpoint {path} is a {SCHEMES[scheme].description} checkpoint but none of its '
            f'{len(shapes)} entries matches a model variable by name and shape; check that the '
            f'config builds the model the checkpoint was made for.')
    if strict and not report.complete:
        raise CheckpointError(
            f'strict loading of {path} failed with {len(report.missing)} missing model variables '
            f'{report.missing[:3]}, {len(report.unexpected)} unexpected entries '
            f'{report.unexpected[:3]} and {len(report.skipped_shape)} shape mismatches '
            f'{[m.model_name for m in report.skipped_shape[:3]]}; load with strict=False to '
            f'take what matches.')
    if scheme == 'osmnseg' and not partial:
        _check_whole_modules(model, report, path)
        _check_native_shapes(report, path)
        restore_objects(path, False, **{NATIVE_ROOT: model})  # strictness checked on the plan
    else:
        assign_loaded(variables, path, reader, report)
    return report


def _check_whole_modules(model, report, path):
    """Raise when a native checkpoint gave none of a sub-network's variables (it was written
    by a model without it, e.g. a plain OSMN-lite checkpoint for a matching model)."""
    missing = set(report.missing)
    names_of = {id(variable): name for name, variable in model.reference_variables().items()}
    for attribute, child in vars(model).items():
        if not isinstance(child, tf.Module) or attribute.startswith('_'):
            continue
        names = [names_of[id(v)] for v in child.variables if id(v) in names_of]
        if names and all(name in missing for name in names):
            raise CheckpointError(
                f'checkpoint {path} holds none of the {len(names)} weights of '
                f'model.{attribute} (e.g. {names[0]}): it was written by a model without it '
                f'(a plain OSMN-lite checkpoint?). To start from its other weights, train: '
                f'tools/train.py CONFIG --load-from {path}')


def _check_native_shapes(report, path):
    if report.skipped_shape:
        first = report.skipped_shape[0]
        raise CheckpointError(
            f'native checkpoint {path} stores {first.model_name} with shape '
            f'{first.checkpoint_shape} but the model has {first.model_shape}; build the model '
            f'with the config the checkpoint was written with.')


def _plan_named(variables, path, shapes, scheme):
    """Match every entry of a name-based checkpoint to its targets by name and shape."""
    report = ImportReport(path, scheme)
    targets_of = SCHEMES[scheme].targets
    for name in sorted(shapes):
        if is_training_state(name):
            report.ignored.append(name)
            continue
        targets = [target for target in targets_of(name) if target in variables]
        if not targets:
            report.unexpected.append(name)
        for target in targets:
            report.add_match(name, target, shapes[name], variables[target])
    report.set_missing(variables)
    return report


def assign_loaded(variables, path, reader, report):
    """Read every planned tensor first (a corrupt file must not leave a half-loaded model)."""
    values = {}
    for item in report.loaded:
        if item.checkpoint_name not in values:
            values[item.checkpoint_name] = _read_tensor(reader, path, item.checkpoint_name)
    for item in report.loaded:
        variable = variables[item.model_name]
        variable.assign(tf.cast(values[item.checkpoint_name], variable.dtype))


def _read_tensor(reader, path, name):
    try:
        return reader.get_tensor(name)
    except (tf.errors.OpError, ValueError, IndexError) as err:
        raise CheckpointError(f'checkpoint {path} is damaged: entry {name} cannot be read '
                              f'({type(err).__name__}); use another checkpoint.') from err


def native_variable_keys(model, reader):
    """Map ``id(variable)`` of ``model`` to the entry a native checkpoint restores it from.

    The checkpoint's object graph is walked from its ``model`` node together with the model's
    own graph, child by child name, as ``tf.train.Checkpoint.restore`` matches objects. The key
    is the one the checkpoint stores the variable under, which need not be a ``model/...`` path:
    a training checkpoint also saves the optimizer, and a trainable variable is stored under
    the first path the saver found to it (e.g. ``optimizer/_trainable_variables/3/...``).

    Args:
        model: the module restored as ``model``.
        reader: ``tf.train.load_checkpoint`` of a native checkpoint.
    """
    graph = _object_graph(reader)
    view = tf.train.TrackableView(model)
    queue = collections.deque((model, node_id) for node_id in _model_nodes(graph))
    seen, keys = set(), {}
    while queue:
        obj, node_id = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        node = graph.nodes[node_id]
        if isinstance(obj, tf.Variable):
            keys.update({id(obj): key for key in _variable_keys(node)})
        stored = {child.local_name: child.node_id for child in node.children}
        queue.extend((child, stored[name]) for name, child in view.children(obj).items()
                     if name in stored)
    return keys


def stored_model_entries(reader):
    """The entries of every variable a native checkpoint holds below its ``model`` node."""
    graph = _object_graph(reader)
    queue, seen, entries = collections.deque(_model_nodes(graph)), set(), set()
    while queue:
        node_id = queue.popleft()
        if node_id not in seen:
            seen.add(node_id)
            entries.update(_variable_keys(graph.nodes[node_id]))
            queue.extend(child.node_id for child in graph.nodes[node_id].children)
    return entries


def _object_graph(reader):
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor(OBJECT_GRAPH_KEY))
    return graph


def _model_nodes(graph):
    """The node ids the checkpoint root calls ``model``."""
    return [child.node_id for child in graph.nodes[0].children if child.local_name == NATIVE_ROOT]


def _variable_keys(node):
    return [attribute.checkpoint_key for attribute in node.attributes
            if attribute.name == _VARIABLE_ATTRIBUTE]


def _plan_native(model, variables, path, reader, shapes):
    """Compare the entries a native checkpoint restores into the model with the model's
    variables (counted from the checkpoint's object graph, as the restore matches them)."""
    report = ImportReport(path, 'osmnseg')
    keys = native_variable_keys(model, reader)
    used = set()
    for name, variable in variables.items():
        key = keys.get(id(variable))
        if key not in shapes:
            report.missing.append(name)
            continue
        used.add(key)
        model_shape = variable.shape.as_list()
        if list(shapes[key]) == model_shape:
            report.loaded.append(Loaded(key, name))
        else:
            report.skipped_shape.append(ShapeMismatch(key, name, list(shapes[key]), model_shape))
    # Model variables stored but not in this model; other entries are optimizer slots, counters
    # and state variables of the model such as RNG states (restored, but not weights).
    unknown = stored_model_entries(reader) - set(keys.values())
    for key in sorted(shapes):
        if key not in used:
            (report.unexpected if key in unknown else report.ignored).append(key)
    return report


def restore_objects(path, strict, **trackables):
    """``tf.train.Checkpoint(**trackables).restore(path)`` with errors as CheckpointError.

    Args:
        path: a native checkpoint prefix.
        strict: require every existing object of ``trackables`` to be found in the checkpoint.
        **trackables: the objects to restore, by the names they were saved under.

    Returns:
        the ``tf.train.Checkpoint`` load status.
    """
    try:
        status = tf.train.Checkpoint(**trackables).restore(path)
        if strict:
            status.assert_existing_objects_matched()
        return status.expect_partial()
    except AssertionError as err:
        raise CheckpointError(
            f'checkpoint {path} does not hold every object to restore ({err}); it was written '
            f'by another config or another version of the model.') from err
    except (tf.errors.OpError, ValueError, IndexError) as err:
        raise CheckpointError(f'checkpoint {path} cannot be restored ({type(err).__name__}: '
                              f'{err}); use another checkpoint.') from err
