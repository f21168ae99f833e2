"""Registry: registration, build semantics, messages and lazy discovery of package folders."""
import os
import subprocess
import sys
import textwrap

import pytest

from osmnseg import registry as registry_module
from osmnseg.registry import BACKBONES, DEVICES, HOOKS, Registry
from osmnseg.utils.errors import BuildError, RegistryError


class Solid:
    """The base class of the toy registry."""


class Cube(Solid):
    """A registrable class with one required and one optional argument."""

    def __init__(self, depth, width=4):
        self.depth = depth
        self.width = width


class Exploding:

    def __init__(self, size):
        raise ValueError(f'size {size} is too large')


class Prism(Solid):
    """A subclass of the base that is not registered."""

    def __init__(self, sides=3):
        self.sides = sides


@pytest.fixture
def registry():
    return Registry('toy', base=f'{__name__}.Solid')


@pytest.fixture
def custom_modules(monkeypatch):
    """The set of custom_imports modules, empty for the test and restored afterwards."""
    modules = set()
    monkeypatch.setattr(registry_module, '_CUSTOM_MODULES', modules)
    return modules


def test_register_as_decorator_and_as_call(registry):
    decorated = registry.register_module()(Cube)
    registry.register_module(name='make_list', module=list)
    assert decorated is Cube
    assert registry.get('Cube') is Cube
    assert registry.get('make_list') is list
    assert 'Cube' in registry and len(registry) == 2


def test_aliases_share_one_class(registry):
    registry.register_module(name=['Cube', 'cube'], module=Cube)
    assert registry.get('Cube') is registry.get('cube') is Cube


def test_duplicate_name_raises_unless_force(registry):
    registry.register_module(module=Cube)
    registry.register_module(module=Cube)  # re-registering the same class is harmless
    other = type('Cube', (), {})
    with pytest.raises(RegistryError, match="'Cube' is already registered in the toy registry"
                       r".*force=True"):
        registry.register_module(module=other)
    registry.register_module(module=other, force=True)
    assert registry.get('Cube') is other


def test_register_rejects_a_non_string_name(registry):
    with pytest.raises(TypeError, match='name must be None, a str or a list'):
        registry.register_module(name=3, module=Cube)


def test_build_by_name_class_and_dotted_path(registry, custom_modules):
    registry.register_module(module=Cube)
    registry_module.allow_custom_module(__name__)
    by_name = registry.build(dict(type='Cube', depth=2))
    by_class = registry.build(dict(type=Prism, sides=4))
    by_path = registry.build(dict(type=f'{__name__}.Prism', sides=5))
    assert (by_name.depth, by_name.width) == (2, 4)
    assert by_class.sides == 4 and by_path.sides == 5


@pytest.mark.parametrize('dotted', ['os.system', 'subprocess.call', 'builtins.exec',
                                    'subprocess.Popen', f'{__name__}.Exploding'])
def test_dotted_type_outside_custom_imports_is_refused(registry, custom_modules, dotted):
    """Functions, builtins and classes from modules no config listed are never called."""
    with pytest.raises(RegistryError) as info:
        registry.build(dict(type=dotted, args='touch /tmp/x'), key='model')
    message = str(info.value)
    assert message.startswith(f"config entry 'model': '{dotted}' is not in the toy registry; ")
    assert f'a dotted type must name a subclass of {__name__}.Solid' in message
    assert "custom_imports = dict(imports=['my_package.my_module'])" in message


@pytest.mark.parametrize('dotted', ['os.system', 'subprocess.call', 'builtins.exec'])
def test_function_or_builtin_is_refused_even_from_a_listed_module(registry, custom_modules,
                                                                   dotted):
    registry_module.allow_custom_module(dotted.split('.')[0])
    with pytest.raises(RegistryError, match=r"is not a toy class; a dotted type must name a "
                       rf'subclass of {__name__}\.Solid'):
        registry.build(dict(type=dotted, command='touch /tmp/x'), key='model')


def test_class_of_another_base_is_refused(registry, custom_modules):
    registry_module.allow_custom_module(__name__)
    registry_module.allow_custom_module('subprocess')
    for wrong in (f'{__name__}.Exploding', 'subprocess.Popen'):
        with pytest.raises(RegistryError, match='is not a toy class'):
            registry.build(dict(type=wrong, size=1))
    for wrong in (Exploding, os.system, exec, subprocess.call):
        with pytest.raises(RegistryError, match='is not a toy class'):
            registry.build(dict(type=wrong))


def test_dotted_type_does_not_import_an_unlisted_module(registry, custom_modules, tmp_path,
                                                        monkeypatch):
    marker = tmp_path / 'imported'
    (tmp_path / 'side_effect_mod.py').write_text(f'open({str(marker)!r}, "w").close()\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RegistryError, match='is not in the toy registry'):
        registry.build(dict(type='side_effect_mod.Anything'))
    assert not marker.exists() and 'side_effect_mod' not in sys.modules


def test_registry_without_base_builds_only_registered_classes(custom_modules):
    plain = Registry('plain')
    registry_module.allow_custom_module(__name__)
    with pytest.raises(RegistryError, match='the plain registry builds only registered classes: '
                       r'register yours with @register_module\(\)'):
        plain.build(dict(type=f'{__name__}.Prism'))


def test_project_registries_name_their_base_class():
    from osmnseg.runner.hooks.hook import Hook
    assert HOOKS._base_class() is Hook
    assert BACKBONES.base == 'osmnseg.models.backbones.base.Backbone'


def test_build_does_not_modify_the_config(registry):
    registry.register_module(module=Cube)
    cfg = dict(type='Cube', depth=2)
    registry.build(cfg, default_args=dict(width=7))
    assert cfg == dict(type='Cube', depth=2)


def test_default_args_fill_in_but_do_not_override(registry):
    registry.register_module(module=Cube)
    filled = registry.build(dict(type='Cube'), default_args=dict(depth=6, width=1))
    overridden = registry.build(dict(type='Cube', depth=2), default_args=dict(depth=6))
    assert (filled.depth, filled.width) == (6, 1)
    assert overridden.depth == 2


def test_config_without_type_is_reported_with_its_key(registry):
    with pytest.raises(BuildError, match="'model.backbone' must be a dict with a 'type' key"):
        registry.build(dict(depth=2), key='model.backbone')


def test_unknown_type_message_names_registry_names_match_and_hint(registry):
    registry.register_module(module=Cube)
    registry.register_module(name='Sphere', module=Cube)
    with pytest.raises(RegistryError) as info:
        registry.build(dict(type='Cueb', depth=1))
    message = str(info.value)
    assert "'Cueb' is not in the toy registry" in message
    assert 'registered: Cube, Sphere' in message
    assert "Did you mean 'Cube'?" in message
    assert "custom_imports = dict(imports=['my_package.my_module'])" in message


def test_unknown_type_in_empty_registry(registry):
    with pytest.raises(RegistryError, match=r'registered: nothing\)'):
        registry.get('Cube')


def test_unimportable_dotted_path_is_reported(registry, custom_modules):
    registry_module.allow_custom_module('no_such_pkg')
    with pytest.raises(RegistryError, match="'no_such_pkg.Cube' is not in the toy registry and "
                       'could not be imported as a dotted path'):
        registry.get('no_such_pkg.Cube')


def test_constructor_error_is_chained_with_the_config_path(registry):
    registry.register_module(module=Exploding)
    with pytest.raises(BuildError) as info:
        registry.build(dict(type='Exploding', size=9), key='model.backbone')
    assert "building 'model.backbone'" in str(info.value)
    assert 'ValueError: size 9 is too large' in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)
    assert str(info.value.__cause__) == 'size 9 is too large'


def test_unknown_argument_is_reported_against_the_signature(registry):
    registry.register_module(module=Cube)
    with pytest.raises(BuildError) as info:
        registry.build(dict(type='Cube', depth=1, widht=3), key='model.head')
    message = str(info.value)
    assert "config entry 'model.head' does not fit" in message
    assert '(depth, width=4)' in message
    assert "'widht' (did you mean 'width'?)" in message


def test_missing_argument_is_reported_against_the_signature(registry):
    registry.register_module(module=Cube)
    with pytest.raises(BuildError, match=r"Cube\(depth, width=4\).*missing a required argument: "
                       "'depth'"):
        registry.build(dict(type='Cube'), key='model.head')


def test_repr_is_a_table_of_names_and_classes(registry):
    registry.register_module(name=['Cube', 'cube'], module=Cube)
    table = repr(registry)
    assert 'Registry of toy' in table
    assert '| name' in table and '| class' in table
    assert f'| cube | {__name__}.Cube |' in table


def test_project_registries_point_at_their_package_folders():
    assert BACKBONES.locations == ['osmnseg.models.backbones']
    assert DEVICES.locations == ['osmnseg.devices']


def _write_package(root, files):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def lazy_package(tmp_path, monkeypatch):
    """A package ``lazypkg`` whose registry WIDGETS discovers ``lazypkg.widgets.*`` lazily."""
    _write_package(tmp_path, {
        'lazypkg/__init__.py': """
            from osmnseg.registry import Registry
            WIDGETS = Registry('widget', ['lazypkg.widgets'])
            """,
        'lazypkg/widgets/__init__.py': '',
        'lazypkg/widgets/round_widget.py': """
            from lazypkg import WIDGETS

            @WIDGETS.register_module()
            class RoundWidget:
                def __init__(self, radius=1):
                    self.radius = radius
            """,
    })
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n == 'lazypkg' or n.startswith('lazypkg.')]:
        del sys.modules[name]


def test_lookup_imports_the_location_modules(lazy_package):
    import lazypkg
    assert 'lazypkg.widgets.round_widget' not in sys.modules
    widget = lazypkg.WIDGETS.build(dict(type='RoundWidget', radius=3))
    assert widget.radius == 3
    assert 'lazypkg.widgets.round_widget' in sys.modules


def test_failed_location_import_is_raised_on_every_lookup(lazy_package):
    _write_package(lazy_package, {'lazypkg/widgets/broken.py': 'import no_such_module_xyz\n'})
    import lazypkg
    for _ in range(2):  # a second lookup must not pretend the registry is complete
        with pytest.raises(ModuleNotFoundError, match='no_such_module_xyz'):
            lazypkg.WIDGETS.get('RoundWidget')
