"""Tests of osmnseg.config: loading, inheritance, references, overrides, dumps, the CLI tool."""
import argparse
import os
import os.path as osp
import subprocess
import sys
import textwrap

import pytest

from osmnseg import registry
from osmnseg.config import Config, ConfigDict, DictAction, parse_cfg_options, parse_cfg_value
from osmnseg.utils.errors import ConfigError

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def write(folder, name, source):
    """Write a dedented config file ``folder/name`` and return its path as a str."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return str(path)


# ---------------------------------------------------------------------------- inheritance
def test_inheritance_three_deep_merges_dicts_and_replaces_lists(tmp_path):
    write(tmp_path, '_base_/root.py', """
        model = dict(type='OSMN', backbone=dict(type='VGG16', frozen_stages=0, strides=[1, 2]))
        scales = [0.5, 1.0]
        seed = 0
    """)
    write(tmp_path, '_base_/middle.py', """
        _base_ = './root.py'
        model = dict(backbone=dict(frozen_stages=1))
        lr = 1e-5
    """)
    leaf = write(tmp_path, 'leaf.py', """
        _base_ = ['_base_/middle.py']
        model = dict(backbone=dict(strides=[4]), head=dict(type='Side'))
        scales = [2.0]
    """)
    cfg = Config.fromfile(leaf)
    assert cfg.to_dict() == dict(
        model=dict(type='OSMN', head=dict(type='Side'),
                   backbone=dict(type='VGG16', frozen_stages=1, strides=[4])),
        scales=[2.0], seed=0, lr=1e-5)
    assert cfg.filename == leaf
    assert isinstance(cfg.model.backbone, ConfigDict)
    # text holds every file of the chain, bases first, each headed by its path
    order = [cfg.text.index(f'# {tmp_path / name}') for name in
             ('_base_/root.py', '_base_/middle.py', 'leaf.py')]
    assert order == sorted(order)
    assert "model = dict(backbone=dict(strides=[4])" in cfg.text


def test_delete_replaces_inherited_dict(tmp_path):
    write(tmp_path, 'base.py', "optimizer = dict(type='SGD', lr=0.1, extra=dict(a=1))\n")
    child = write(tmp_path, 'child.py', """
        _base_ = 'base.py'
        optimizer = dict(_delete_=True, type='Adam', lr=1e-3, extra=dict(_delete_=True, b=2))
    """)
    assert Config.fromfile(child).optimizer.to_dict() == dict(type='Adam', lr=1e-3,
                                                             extra=dict(b=2))


def test_list_of_dicts_in_child_replaces_whole_list(tmp_path):
    write(tmp_path, 'base.py', "pipeline = [dict(type='Load'), dict(type='Resize', scale=1.0)]\n")
    child = write(tmp_path, 'child.py', "_base_ = 'base.py'\npipeline = [dict(type='Flip')]\n")
    assert Config.fromfile(child).pipeline == [dict(type='Flip')]


def test_same_key_in_two_bases_raises_naming_both(tmp_path):
    first = write(tmp_path, 'a.py', 'lr = 1\n')
    second = write(tmp_path, 'b.py', 'lr = 2\n')
    child = write(tmp_path, 'c.py', "_base_ = ['a.py', 'b.py']\n")
    with pytest.raises(ConfigError, match="'lr'") as info:
        Config.fromfile(child)
    assert first in str(info.value) and second in str(info.value)


def test_inheritance_cycle_raises(tmp_path):
    write(tmp_path, 'a.py', "_base_ = 'b.py'\n")
    write(tmp_path, 'b.py', "_base_ = 'a.py'\n")
    with pytest.raises(ConfigError, match='inherits from itself'):
        Config.fromfile(str(tmp_path / 'a.py'))


# ---------------------------------------------------------------------------- references
def test_text_references_to_base_values(tmp_path):
    write(tmp_path, 'base.py', """
        crop = (224, 224)
        data = dict(root='data/davis', pipeline=[dict(type='Load'), dict(scale=0.5)])
        mean = [104.0, 117.0, 123.0]
        name = "it's"
    """)
    child = write(tmp_path, 'child.py', """
        _base_ = 'base.py'
        guide = dict(size={{_base_.crop}}, mean={{ _base_.mean }}, root='{{_base_.data.root}}')
        scale = {{_base_.data.pipeline.1.scale}}
        train = {{_base_.data}}
        label = "{{_base_.name}}"
    """)
    cfg = Config.fromfile(child)
    assert cfg.guide.to_dict() == dict(size=(224, 224), mean=[104.0, 117.0, 123.0],
                                       root='data/davis')
    assert cfg.scale == 0.5
    assert cfg.train.pipeline[1].scale == 0.5
    assert cfg.label == "it's"


def test_text_reference_to_missing_base_key_raises(tmp_path):
    write(tmp_path, 'base.py', 'a = 1\n')
    child = write(tmp_path, 'child.py', "_base_ = 'base.py'\nb = {{_base_.nope}}\n")
    with pytest.raises(ConfigError, match=r'child\.py references \{\{_base_\.nope\}\}'):
        Config.fromfile(child)


def test_attribute_references_to_base_values(tmp_path):
    write(tmp_path, 'base.py', "model = dict(backbone=dict(type='VGG16', channels=[64, 128]))\n")
    child = write(tmp_path, 'child.py', """
        _base_ = 'base.py'
        teacher = dict(backbone=_base_.model.backbone, width=_base_.model.backbone.channels[-1] * 2)
        tag = 'w' + str(_base_.model.backbone.channels[0])
    """)
    cfg = Config.fromfile(child)
    assert cfg.teacher.to_dict() == dict(backbone=dict(type='VGG16', channels=[64, 128]),
                                         width=256)
    assert cfg.tag == 'w64'
    assert '_base_' not in cfg


def test_predefined_variables(tmp_path):
    path = write(tmp_path, 'sub/my_exp.py', """
        work_dir = './work_dirs/{{fileBasenameNoExtension}}'
        where = '{{fileDirname}}'
        names = ['{{fileBasename}}', '{{ fileExtname }}']
    """)
    cfg = Config.fromfile(path)
    assert cfg.work_dir == './work_dirs/my_exp'
    assert cfg.where == str(tmp_path / 'sub').replace('\\', '/')
    assert cfg.names == ['my_exp.py', '.py']


# ---------------------------------------------------------------------------- file errors
def test_config_path_that_is_a_folder(tmp_path):
    with pytest.raises(ConfigError, match=f'Config path {tmp_path} is a folder; give the path of '
                       'a .py config file in it.'):
        Config.fromfile(str(tmp_path))


@pytest.mark.parametrize('source, stage', [
    ('a = {}\nfor i in range(5000):\n    a = dict(x=a)\ndel i\n', 'load'),  # built in code
    ('a = ' + 'dict(x=' * 190 + '1' + ')' * 190 + '\n', 'pretty_text'),  # parses, yapf overflows
])
def test_configs_nested_too_deeply_are_a_config_error(tmp_path, source, stage):
    path = write(tmp_path, 'deep.py', source)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default; some imported libraries raise it
    try:
        with pytest.raises(ConfigError, match='is nested too deeply for Python to process') as info:
            Config.fromfile(path).pretty_text
    finally:
        sys.setrecursionlimit(limit)
    assert path in str(info.value) and info.value.__cause__ is None
    if stage == 'pretty_text':
        Config.fromfile(path)  # loading itself works


def test_cfg_option_nested_too_deeply_is_a_config_error():
    with pytest.raises(ConfigError, match="--cfg-options item 'a' is nested too deeply"):
        parse_cfg_options(['a=' + '[' * 5000 + 'x' + ']' * 5000])


def test_missing_file_names_path(tmp_path):
    missing = str(tmp_path / 'nope.py')
    with pytest.raises(ConfigError, match='does not exist') as info:
        Config.fromfile(missing)
    assert missing in str(info.value)


def test_missing_base_names_child_and_base(tmp_path):
    child = write(tmp_path, 'child.py', "_base_ = ['../nope/base.py']\n")
    with pytest.raises(ConfigError, match='child.py inherits from .*nope/base.py, which does not'):
        Config.fromfile(child)


@pytest.mark.parametrize('base, child, message', [
    ('a = 1\n', "_base_ = 'base.py'\nb = dict(x=1,\nc = ]\n",
     r'child\.py, line 3: invalid Python syntax'),
    ('a = = 1\n', "_base_ = 'base.py'\n", r'base\.py, line 1: invalid Python syntax'),
    ('model = dict(depth=16)\n', "_base_ = 'base.py'\n\nx = _base_.model.dpth\n",
     r"child\.py, line 3: AttributeError: .*'dpth'.*'depth'"),
    # base values are reached through _base_ only, never as bare names
    ('a = 1\n', "_base_ = 'base.py'\nb = a + 1\n", r"child\.py, line 2: NameError: name 'a'"),
])
def test_errors_in_config_files_name_file_and_line(tmp_path, base, child, message):
    write(tmp_path, 'base.py', base)
    with pytest.raises(ConfigError, match=message):
        Config.fromfile(write(tmp_path, 'child.py', child))


def test_only_plain_data_survives(tmp_path):
    path = write(tmp_path, 'code.py', """
        import os
        from math import sqrt

        def helper():
            return 1

        class Thing:
            pass

        __hidden__ = 1
        _private_ok = 2
        value = helper() + int(sqrt(4))
    """)
    assert Config.fromfile(path).to_dict() == dict(_private_ok=2, value=3)


# ---------------------------------------------------------------------------- custom_imports
@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """A module ``osmnseg_test_user_mod`` on sys.path; removed from sys.modules afterwards."""
    name = 'osmnseg_test_user_mod'
    (tmp_path / 'pkgdir').mkdir()
    (tmp_path / 'pkgdir' / f'{name}.py').write_text('LOADED = True\n')
    monkeypatch.syspath_prepend(str(tmp_path / 'pkgdir'))
    yield name
    sys.modules.pop(name, None)


def test_custom_imports_imports_user_module(tmp_path, user_module, monkeypatch):
    monkeypatch.setattr(registry, '_CUSTOM_MODULES', set())
    path = write(tmp_path, 'cfg.py', f"custom_imports = dict(imports=['{user_module}'])\n")
    cfg = Config.fromfile(path)
    assert sys.modules[user_module].LOADED
    assert cfg.custom_imports.imports == [user_module]
    assert registry._CUSTOM_MODULES == {user_module}  # dotted types may name its classes


def test_custom_imports_cannot_be_set_from_the_command_line():
    for item in ("custom_imports={'imports': ['os']}", 'custom_imports.imports=[os]'):
        with pytest.raises(ConfigError, match=r'sets custom_imports, which imports code; list '
                           'your modules in the config file instead'):
            parse_cfg_options([item])


def test_custom_imports_failure_says_module_and_sys_path(tmp_path):
    path = write(tmp_path, 'cfg.py', "custom_imports = dict(imports=['no_such_mod_xyz'])\n")
    with pytest.raises(ConfigError, match=r"module 'no_such_mod_xyz' could not be imported.*"
                                          r'sys\.path.*PYTHONPATH') as info:
        Config.fromfile(path)
    assert path in str(info.value)


def test_custom_imports_allowed_failure_warns(tmp_path):
    path = write(tmp_path, 'cfg.py', "custom_imports = dict(imports='no_such_mod_xyz', "
                                     'allow_failed_imports=True)\n')
    with pytest.warns(UserWarning, match="'no_such_mod_xyz'.*allow_failed_imports=True"):
        Config.fromfile(path)


# ---------------------------------------------------------------------------- Config API
def test_config_dict_missing_keys_raise_and_create_nothing():
    cfg = Config(dict(model=dict(backbone=dict(depth=16))))
    with pytest.raises(AttributeError, match=r"'backbon'.*did you mean 'backbone'"):
        _ = cfg.model.backbon
    with pytest.raises(KeyError):
        _ = cfg.model['head']
    with pytest.raises(AttributeError, match="'modle'"):
        _ = cfg.modle
    assert 'head' not in cfg.model and 'backbon' not in cfg.model and 'modle' not in cfg
    assert not hasattr(cfg.model, 'neck')


def test_config_mapping_interface_and_copies():
    cfg = Config(dict(a=1, b=dict(c=[1, 2])), cfg_text='src', filename='x.py')
    assert cfg['a'] == cfg.a == cfg.get('a') == 1
    assert cfg.get('zz', 5) == 5
    assert list(cfg.keys()) == ['a', 'b'] and dict(cfg.items())['a'] == 1
    assert 'b' in cfg and len(cfg) == 2 and list(cfg) == ['a', 'b']
    cfg.d = dict(e=[dict(f=1)])
    assert cfg.d.e[0].f == 1
    clone, deep = cfg.copy(), cfg.deepcopy()
    clone.b.c.append(3)
    deep.a = 9
    assert cfg.b.c == [1, 2] and cfg.a == 1
    assert (clone.filename, deep.text) == ('x.py', 'src')
    with pytest.raises(ConfigError, match="'filename' is reserved"):
        cfg.filename = 'y.py'
    assert cfg.to_dict() == dict(a=1, b=dict(c=[1, 2]), d=dict(e=[dict(f=1)]))
    assert type(cfg.to_dict()['d']['e'][0]) is dict


ROUND_TRIP = dict(
    model=dict(type='OSMN', backbone=dict(type='VGG16', strides=(1, 2, 2), frozen=None),
               heads=[dict(type='Side', layers=[dict(k=3), dict(k=(1,))]), dict(type='Fuse')]),
    quotes=['single \' quote', 'double " quote', "both ' \" and \\ backslash"],
    flags=dict(on=True, off=False), lr=1e-4, neg=-0.5, big=10**20, inf=float('inf'),
    empty=dict(lst=[], tup=(), d={}), nested=[[1, [2, (3, dict(x='y'))]]],
    mapping={'not-an-identifier': 1, 7: 'int key', 'lambda': 2},
    long=list(range(50)))


def test_pretty_text_reloads_to_equal_config():
    cfg = Config(ROUND_TRIP)
    text = cfg.pretty_text
    assert "model = dict(" in text and "type='OSMN'" in text
    assert Config.fromstring(text, '.py').to_dict() == ROUND_TRIP


def test_dump_reloads_to_equal_config(tmp_path):
    path = tmp_path / 'out' / 'dumped.py'
    Config(ROUND_TRIP).dump(str(path))
    assert Config.fromfile(str(path)).to_dict() == ROUND_TRIP
    assert os.listdir(path.parent) == ['dumped.py']  # the temporary file was renamed away


def test_dump_of_loaded_config(tmp_path):
    write(tmp_path, 'base.py', "model = dict(a=[1, 2], b=dict(c='{{fileBasename}}'))\n")
    child = write(tmp_path, 'child.py', "_base_ = 'base.py'\nmodel = dict(b=dict(d=(1, 2)))\n")
    cfg = Config.fromfile(child)
    cfg.dump(str(tmp_path / 'dumped.py'))
    assert Config.fromfile(str(tmp_path / 'dumped.py')).to_dict() == cfg.to_dict()


def test_pretty_text_rejects_non_data():
    with pytest.raises(ConfigError, match="'a.b'.*object"):
        _ = Config(dict(a=dict(b=object()))).pretty_text


# ---------------------------------------------------------------------------- merge_from_dict
def make_cfg():
    return Config(dict(
        model=dict(backbone=[dict(type='VGG16', depth=16)], head=dict(channels=16)),
        data=dict(train=dict(pipeline=[dict(type='Load'), dict(type='Flip'),
                                       dict(type='Resize', scale=(1, 2))]))))


def test_merge_from_dict_dotted_keys_and_list_indices():
    cfg = make_cfg()
    cfg.merge_from_dict({'model.backbone.0.depth': 19, 'data.train.pipeline.2.scale': 0.5,
                         'data.train.pipeline.2.extra.new': True, 'model.head': dict(k=1),
                         'runner.max_iters': 10})
    assert cfg.model.backbone[0].to_dict() == dict(type='VGG16', depth=19)
    assert cfg.data.train.pipeline[2].to_dict() == dict(type='Resize', scale=0.5,
                                                        extra=dict(new=True))
    assert cfg.model.head.to_dict() == dict(channels=16, k=1)
    assert cfg.runner.max_iters == 10
    cfg.merge_from_dict({'data.train.pipeline.2.scale': (3, 4),
                         'model.head': dict(_delete_=True, k=2)})
    assert cfg.data.train.pipeline[2].scale == (3, 4) and cfg.model.head.to_dict() == dict(k=2)


def test_merge_from_dict_bad_list_index():
    with pytest.raises(ConfigError, match=r"'data\.train\.pipeline\.7' indexes a list of 3"):
        make_cfg().merge_from_dict({'data.train.pipeline.7.scale': 1})


def test_strict_merge_lists_close_matches():
    cfg = make_cfg()
    with pytest.raises(ConfigError, match=r"'model\.haed' does not exist \(strict mode\) "
                                          r"\(did you mean 'model\.head'\?\)"):
        cfg.merge_from_dict({'model.haed.channels': 8}, strict=True)
    with pytest.raises(ConfigError, match=r"'model\.head\.chanels'.*'model\.head\.channels'"):
        cfg.merge_from_dict({'model.head.chanels': 8}, strict=True)
    cfg.merge_from_dict({'model.head.channels': 8, 'model.backbone.0.depth': 11}, strict=True)
    assert (cfg.model.head.channels, cfg.model.backbone[0].depth) == (8, 11)


# ---------------------------------------------------------------------------- --cfg-options parsing
@pytest.mark.parametrize('text, expected', [
    ('1', 1), ('-2', -2), ('1.5', 1.5), ('1e-3', 1e-3), ('True', True), ('false', False),
    ('FALSE', False), ('None', None), ('none', None), ('abc', 'abc'), ('a b', 'a b'),
    ('a,b', ['a', 'b']), ('1,2', [1, 2]), ('1,', [1]), ('[1,2]', [1, 2]), ('(1,2)', (1, 2)),
    ('[a,b]', ['a', 'b']), ('(a,b)', ('a', 'b')), ('[]', []), ('()', ()),
    ('[(1,2),(3,4)]', [(1, 2), (3, 4)]), ('[(a,b),[c,true]]', [('a', 'b'), ['c', True]]),
    ('1,[2,x]', [1, [2, 'x']]), ("'a,b'", 'a,b'), ('"quoted"', 'quoted'),
    ("{'k': [1, 2]}", {'k': [1, 2]}),
    ("__import__('os').system('x')", "__import__('os').system('x')"),
    ('os.system("touch x")', 'os.system("touch x")'), ('[1]+[2]', '[1]+[2]'),
    ('[1, exit()]', [1, 'exit()']),
])
def test_parse_cfg_value_table(text, expected):
    value = parse_cfg_value(text)
    assert value == expected and type(value) is type(expected)


def test_dict_action_merges_repeated_options():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', action=DictAction)
    args = parser.parse_args(['--cfg-options', 'a.b=1', 'c=x,y', '--cfg-options', 'd.0=(1,2)',
                              'a.b=2'])
    assert args.cfg_options == {'a.b': 2, 'c': ['x', 'y'], 'd.0': (1, 2)}


def test_parse_cfg_options_rejects_items_without_value():
    with pytest.raises(ConfigError, match="'model.depth' is not KEY=VALUE"):
        parse_cfg_options(['model.depth'])


# ---------------------------------------------------------------------------- print_config
def run_print_config(*args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    return subprocess.run([sys.executable, osp.join(REPO, 'tools', 'misc', 'print_config.py'),
                           *args], capture_output=True, text=True, env=env, check=False)


def test_print_config_prints_merged_reloadable_config(tmp_path):
    write(tmp_path, 'base.py', "model = dict(type='OSMN', layers=[dict(k=3), dict(k=5)])\n")
    child = write(tmp_path, 'child.py', "_base_ = 'base.py'\nlr = 0.1\n")
    result = run_print_config(child, '--cfg-options', 'model.layers.1.k=7', 'lr=1e-3',
                              '--cfg-options', 'tags=a,b')
    assert result.returncode == 0, result.stderr
    printed = Config.fromstring(result.stdout)
    assert printed.to_dict() == dict(model=dict(type='OSMN', layers=[dict(k=3), dict(k=7)]),
                                     lr=1e-3, tags=['a', 'b'])

    strict = run_print_config(child, '--strict', '--cfg-options', 'model.typ=X')
    assert strict.returncode != 0 and "did you mean 'model.type'" in strict.stderr


def test_spurious_ast_recursion_error_is_retried(tmp_path, monkeypatch):
    """A CPython 3.11 thread-safety bug can make ast.parse fail once with a SystemError."""
    import ast

    from osmnseg import config as config_module

    real_parse, calls = ast.parse, []

    def flaky_parse(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SystemError('AST constructor recursion depth mismatch (before=153, after=12)')
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(config_module.ast, 'parse', flaky_parse)
    path = tmp_path / 'cfg.py'
    path.write_text('a = 1\n')
    assert Config.fromfile(str(path)).a == 1 and len(calls) >= 2
