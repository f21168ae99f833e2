"""Registries: map the ``type`` strings of config files to classes, and build them.

One small mechanism (after mmcv 1.x / mmengine) serves every kind of module. Each registry knows
the package folder its modules live in (``locations``); that folder is imported on the first
lookup, so a user never has to import a module by hand for its ``@register_module`` to run.

A ``type`` never runs code it was not meant to: a registry builds only the classes registered in
it, or a dotted path to a class of a module the config lists in ``custom_imports`` (recorded by
:func:`allow_custom_module`) that subclasses the registry's base class -- never a function, a
builtin or a class of another kind.

    >>> from osmnseg.registry import BACKBONES
    >>> backbone = BACKBONES.build(dict(type='VGG16', layout='osvos'), key='model.backbone')
"""
import difflib
import importlib
import inspect
import pkgutil
import threading

from terminaltables import AsciiTable

from osmnseg.utils.errors import BuildError, RegistryError

CUSTOM_IMPORTS_HINT = ("if it is your own module, list its Python module in the config: "
                       "custom_imports = dict(imports=['my_package.my_module'])")
# Modules imported by a config's custom_imports: the only ones a dotted ``type`` may come from.
_CUSTOM_MODULES = set()


def allow_custom_module(name):
    """Let dotted ``type`` paths name classes of module ``name`` (and of its submodules).

    Called by the config loader for each module of ``custom_imports`` once it is imported.
    """
    _CUSTOM_MODULES.add(name)


def _is_custom_module(name):
    return any(name == allowed or name.startswith(allowed + '.') for allowed in _CUSTOM_MODULES)


class Registry:
    """A name -> class table with lazy discovery of its package folders.

    Args:
        name: human-readable name used in messages, e.g. ``'backbone'``.
        locations: dotted package names whose modules register into this registry; every
            module of these packages is imported on the first lookup.
        base: dotted path of the base class a dotted ``type`` must subclass (resolved on use,
            so that listing a registry imports nothing heavy); ``None``: registered names only.
    """

    def __init__(self, name, locations=(), base=None):
        self.name = name
        self.locations = list(locations)
        self.base = base
        self._modules = {}
        self._imported = False
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ registration
    def register_module(self, name=None, force=False, module=None):
        """Register a class or function, as a decorator or as a call.

        Args:
            name: the registered name, or a list of names (aliases); default: ``module.__name__``.
            force: replace an existing entry of the same name instead of raising.
            module: the class to register when used as a plain call.
        """
        if name is not None and not isinstance(name, (str, list, tuple)):
            raise TypeError(f'name must be None, a str or a list of str, got {type(name)!r}')

        def _register(cls):
            names = [cls.__name__] if name is None else ([name] if isinstance(name, str) else list(name))
            with self._lock:
                for key in names:
                    if not force and key in self._modules and self._modules[key] is not cls:
                        raise RegistryError(
                            f"'{key}' is already registered in the {self.name} registry "
                            f"(by {_qualname(self._modules[key])}); pass force=True to replace it.")
                for key in names:
                    self._modules[key] = cls
            return cls

        if module is not None:
            return _register(module)
        return _register

    # ------------------------------------------------------------------ lookup
    def import_locations(self):
        """Import every module of the registry's package folders (once), except the modules a
        package imports only on demand (its ``LAZY_EXPORTS`` values: they register nothing and
        may be heavy, e.g. the TensorFlow training loader of ``osmnseg.datasets``)."""
        if self._imported:
            return
        with self._lock:
            if self._imported:
                return
            self._imported = True  # set first: a location module may look things up itself
            try:
                for location in self.locations:
                    package = importlib.import_module(location)
                    on_demand = set(getattr(package, 'LAZY_EXPORTS', {}).values())
                    for info in pkgutil.iter_modules(getattr(package, '__path__', []),
                                                     location + '.'):
                        if info.name not in on_demand:
                            importlib.import_module(info.name)
            except BaseException:
                self._imported = False  # the next lookup retries and raises the error again
                raise

    @property
    def module_dict(self):
        """A copy of the name -> class table (after importing the locations)."""
        self.import_locations()
        return dict(self._modules)

    def __contains__(self, key):
        self.import_locations()
        return key in self._modules

    def __len__(self):
        self.import_locations()
        return len(self._modules)

    def get(self, key):
        """Return the class registered as ``key``, or the class a custom dotted path names.

        Raises:
            RegistryError: nothing of that name, or a dotted path that is not a subclass of the
                registry's base class in a ``custom_imports`` module; the message lists the
                registered names, the closest match and how to register a user module.
        """
        self.import_locations()
        if key in self._modules:
            return self._modules[key]
        if isinstance(key, str) and '.' in key:
            return self._custom_class(key)
        close = difflib.get_close_matches(str(key), list(self._modules), n=1)
        suggestion = f" Did you mean '{close[0]}'?" if close else ''
        raise RegistryError(
            f"'{key}' is not in the {self.name} registry (registered: "
            f"{', '.join(sorted(self._modules)) or 'nothing'}).{suggestion} {CUSTOM_IMPORTS_HINT}.")

    # ------------------------------------------------------------------ build
    def build(self, cfg, default_args=None, key=None):
        """Build an object from a config dict with a ``type`` entry.

        Args:
            cfg: mapping with ``type`` (registered name, class or dotted path) and constructor
                keyword arguments.
            default_args: keyword arguments used where ``cfg`` does not give them.
            key: dotted config path of this entry (e.g. ``'model.backbone'``) for messages.
        """
        where = key or self.name
        if not hasattr(cfg, 'keys') or 'type' not in cfg:
            raise BuildError(f"config entry '{where}' must be a dict with a 'type' key "
                             f"naming a {self.name}, got {cfg!r}")
        kwargs = {k: v for k, v in (default_args or {}).items()}
        kwargs.update({k: v for k, v in cfg.items() if k != 'type'})
        obj_type = cfg['type']
        try:
            obj_cls = self._checked_class(obj_type) if callable(obj_type) else self.get(obj_type)
        except RegistryError as err:  # name the config entry, keep the registry's message
            raise RegistryError(f"config entry '{where}': {err}") from None
        _check_signature(obj_cls, kwargs, where)
        try:
            return obj_cls(**kwargs)
        except Exception as err:  # chained so the original traceback stays visible
            if isinstance(err, (BuildError, RegistryError)):
                raise
            raise BuildError(f"building '{where}' ({_qualname(obj_cls)}) failed: "
                             f"{type(err).__name__}: {err}") from err

    def _base_class(self):
        module_name, _, attr = self.base.rpartition('.')
        return getattr(importlib.import_module(module_name), attr)

    def _rule(self):
        """How a user's class gets into this registry (the second half of the errors)."""
        imports = "custom_imports = dict(imports=['my_package.my_module'])"
        if self.base is None:
            return (f'the {self.name} registry builds only registered classes: register yours '
                    f'with @register_module() in a module the config lists in {imports}')
        return (f'a dotted type must name a subclass of {self.base} in a module the config '
                f'lists in {imports} (or register the class there with @register_module())')

    def _checked_class(self, obj):
        """``obj`` (a class given as ``type``) if it is registered or subclasses the base."""
        self.import_locations()
        if obj in self._modules.values() or (
                self.base is not None and inspect.isclass(obj)
                and issubclass(obj, self._base_class())):
            return obj
        raise RegistryError(f'{obj!r} is not a {self.name} class; {self._rule()}.')

    def _custom_class(self, path):
        """The class at dotted ``path``, imported only from a ``custom_imports`` module."""
        module_name, _, attr = path.rpartition('.')
        if self.base is None or not _is_custom_module(module_name):
            raise RegistryError(f"'{path}' is not in the {self.name} registry; {self._rule()}.")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as err:
            raise RegistryError(f"'{path}' is not in the {self.name} registry and could not be "
                                f'imported as a dotted path ({err}).') from err
        return self._checked_class(obj)

    def __repr__(self):
        self.import_locations()
        rows = [['name', 'class']] + [[k, _qualname(v)] for k, v in sorted(self._modules.items())]
        table = AsciiTable(rows, title=f' Registry of {self.name} ')
        return table.table


def _qualname(obj):
    return f'{obj.__module__}.{getattr(obj, "__qualname__", obj.__name__)}'


def _check_signature(obj_cls, kwargs, where):
    """Report unknown or missing constructor arguments against the class's signature."""
    try:
        signature = inspect.signature(obj_cls)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        signature.bind(**kwargs)
    except TypeError as err:
        params = [p for p in signature.parameters.values() if p.kind is not p.VAR_POSITIONAL]
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
        unknown = [] if accepts_any else sorted(set(kwargs) - {p.name for p in params})
        hint = ''
        if unknown:
            names = [p.name for p in params]
            close = {u: difflib.get_close_matches(u, names, n=1) for u in unknown}
            hint = ' Unknown: ' + ', '.join(
                f"'{u}'" + (f" (did you mean '{c[0]}'?)" if c else '') for u, c in close.items()) + '.'
        raise BuildError(f"config entry '{where}' does not fit {_qualname(obj_cls)}{signature}: "
                         f"{err}.{hint}") from None


_MODULE_BASE = 'osmnseg.models.layers.base.Module'
BACKBONES = Registry('backbone', ['osmnseg.models.backbones'],
                     'osmnseg.models.backbones.base.Backbone')
MODULATORS = Registry('modulator', ['osmnseg.models.modulators'],
                      'osmnseg.models.modulators.base.Modulator')
HEADS = Registry('head', ['osmnseg.models.heads'], _MODULE_BASE)
SEGMENTORS = Registry('segmentor', ['osmnseg.models.segmentors'], _MODULE_BASE)
LOSSES = Registry('loss', ['osmnseg.models.losses'])
DATASETS = Registry('dataset', ['osmnseg.datasets'], 'osmnseg.datasets.base.BaseVOSDataset')
TRANSFORMS = Registry('transform', ['osmnseg.datasets.pipelines'],
                      'osmnseg.datasets.pipelines.base.BaseTransform')
HOOKS = Registry('hook', ['osmnseg.runner.hooks'], 'osmnseg.runner.hooks.hook.Hook')
DEVICES = Registry('device', ['osmnseg.devices'], 'osmnseg.devices.base.Device')
OPTIMIZERS = Registry('optimizer', ['osmnseg.runner.optimizers'])
LR_SCHEDULERS = Registry('lr scheduler', ['osmnseg.runner.lr_schedulers'],
                         'osmnseg.runner.lr_schedulers.LRSchedule')
METRICS = Registry('metric', ['osmnseg.evaluation'], 'osmnseg.evaluation.base_metric.BaseMetric')
