"""Python config files in the style of mmcv 1.x.

A config file is Python; its top-level variables form a nested dict. ``_base_`` names the files
it inherits from (relative to itself): dicts merge key by key, everything else -- lists included
-- is replaced whole, and a dict with ``_delete_=True`` replaces its inherited dict. A file can
reuse base values as ``{{_base_.key}}`` (text substitution) or ``_base_.key`` (attribute access),
and the variables ``{{fileDirname}}``, ``{{fileBasename}}``, ``{{fileBasenameNoExtension}}`` and
``{{fileExtname}}``. Config files are executed (they are the user's own code); command-line
values (``--cfg-options``) are only ever parsed, never evaluated.

    >>> cfg = Config.fromfile('configs/osmn_vgg16_davis2017.py')
    >>> cfg.merge_from_dict({'model.backbone.frozen_stages': 2, 'data.train.pipeline.1.scale': 0.5})
    >>> print(cfg.pretty_text)
"""
import argparse
import ast
import contextlib
import copy
import difflib
import importlib
import keyword
import math
import os
import os.path as osp
import re
import sys
import tempfile
import types
import warnings

from addict import Dict
from yapf.yapflib.yapf_api import FormatCode

from osmnseg.registry import allow_custom_module
from osmnseg.utils.errors import ConfigError

BASE_KEY = '_base_'
DELETE_KEY = '_delete_'

_PREDEFINED_VAR = re.compile(
    r'\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}')
# A reference that is a whole quoted string ('{{_base_.a}}') is replaced together with its quotes.
_QUOTED_BASE_REF = re.compile(r'([\'"])\{\{\s*_base_\.([\w.]+)\s*\}\}\1')
_BASE_REF = re.compile(r'\{\{\s*_base_\.([\w.]+)\s*\}\}')
# mmcv's yapf style for pretty_text.
_YAPF_STYLE = dict(based_on_style='pep8', blank_line_before_nested_class_or_def=True,
                   split_before_expression_after_opening_paren=True)
# Top-level names of a config file that are code, not configuration; they are dropped.
_NOT_DATA = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
_WORD_LITERALS = {'true': True, 'false': False, 'none': None}


def _close_matches_hint(key, candidates, prefix=''):
    """`` (did you mean 'a.b'?)`` for the candidates closest to ``key``, else the known keys."""
    names = [str(name) for name in candidates]
    matches = difflib.get_close_matches(str(key), names, n=3)
    if matches:
        return ' (did you mean ' + ' or '.join(f"'{prefix}{m}'" for m in matches) + '?)'
    if names:
        return f" (keys there: {', '.join(names)})"
    return ''


def _to_plain(value):
    """Return ``value`` with every dict, list and tuple rebuilt as a plain dict, list, tuple."""
    if isinstance(value, dict):
        return {key: _to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_to_plain(item) for item in value)
    return value


class ConfigDict(Dict):
    """An addict ``Dict`` whose missing keys raise instead of silently creating empty entries.

    ``d.missing`` raises ``AttributeError`` naming the key and its closest matches;
    ``d['missing']`` raises ``KeyError``.
    """

    def __missing__(self, name):
        raise KeyError(name)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"Config has no key '{name}'{_close_matches_hint(name, self)}; "
                                 'check its spelling.') from None

    def to_dict(self):
        """A plain nested ``dict`` copy (lists and tuples of dicts included)."""
        return _to_plain(self)


def _is_identifier(key):
    return isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)


def _source_of(value, path):
    """One line of Python source that evaluates to ``value``; dicts are written ``dict(k=v)``.

    Args:
        value: plain config data (dicts, lists, tuples, str, bytes, numbers, bool, None).
        path: dotted key of ``value``, named in the error for anything else.
    """
    if isinstance(value, dict):
        if all(_is_identifier(key) for key in value):
            return 'dict(' + ', '.join(f'{key}={_source_of(item, f"{path}.{key}")}'
                                       for key, item in value.items()) + ')'
        return '{' + ', '.join(f'{_source_of(key, path)}: {_source_of(item, f"{path}.{key}")}'
                               for key, item in value.items()) + '}'
    if isinstance(value, (list, tuple)):
        items = [_source_of(item, f'{path}.{index}') for index, item in enumerate(value)]
        if isinstance(value, list):
            return '[' + ', '.join(items) + ']'
        return '(' + ', '.join(items) + (',' if len(items) == 1 else '') + ')'
    if value is None or isinstance(value, (bool, str, bytes, complex)):
        return repr(value)
    # int() and float() drop subclasses (IntEnum, numpy.float64) whose reprs are not literals.
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else f"float('{float(value)}')"
    raise ConfigError(f"Config key '{path}' holds a {type(value).__name__}, which cannot be "
                      'written as Python source; store plain data (numbers, strings, lists, '
                      'dicts) there instead.')


def _merge(base, child):
    """``child`` laid over ``base``: a dict merges into a dict key by key (unless it sets
    ``_delete_=True``); any other value, lists included, replaces the inherited one whole."""
    if not isinstance(child, dict):
        return child
    child = dict(child)
    replace = child.pop(DELETE_KEY, False)
    merged = {} if replace or not isinstance(base, dict) else dict(base)
    for key, value in child.items():
        merged[key] = _merge(merged.get(key), value)
    return merged


def _lookup(root, parts):
    """``root[parts[0]][parts[1]]...`` where list and tuple levels take integer indices."""
    node = root
    for part in parts:
        node = node[int(part)] if isinstance(node, (list, tuple)) else node[part]
    return node


# ---------------------------------------------------------------------------- loading files
def _read_source(filename):
    if osp.isdir(filename):
        raise ConfigError(f'Config path {filename} is a folder; give the path of a .py config '
                          'file in it.')
    if not osp.isfile(filename):
        raise ConfigError(f'Config file {filename} does not exist; check the path.')
    if not filename.endswith('.py'):
        raise ConfigError(f'Config file {filename} is not a .py file; osmnseg configs are '
                          'Python files.')
    with open(filename, encoding='utf-8') as f:
        return f.read()


def _substitute_predefined_vars(source, filename):
    dirname, basename = osp.split(filename)
    values = dict(fileDirname=dirname, fileBasename=basename,
                  fileBasenameNoExtension=osp.splitext(basename)[0],
                  fileExtname=osp.splitext(basename)[1])
    return _PREDEFINED_VAR.sub(lambda match: values[match.group(1)].replace('\\', '/'), source)


def _parse(source, filename):
    """``ast.parse`` whose syntax errors become a ConfigError naming the file and line.

    Some CPython 3.11 releases keep the AST recursion-depth counter in state that threads share,
    so a parse that overlaps another thread's (e.g. TensorFlow's autograph in a tf.data worker)
    can fail with a spurious ``SystemError: AST constructor recursion depth mismatch`` (seen
    once in CI on 3.11.7); the parse is retried once in that case.
    """
    try:
        try:
            return ast.parse(source, filename=filename)
        except SystemError as err:
            if 'recursion depth mismatch' not in str(err):
                raise
            return ast.parse(source, filename=filename)
    except SyntaxError as err:
        raise ConfigError(f'{filename}, line {err.lineno}: invalid Python syntax ({err.msg}); '
                          'fix the config file.') from err


def _assigns_base(node):
    return isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == BASE_KEY for target in node.targets)


def _base_files(tree, filename):
    """Absolute paths of the files named by the ``_base_ = ...`` statement of ``tree``."""
    bases = []
    for node in filter(_assigns_base, tree.body):
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            value = None
        bases = [value] if isinstance(value, str) else value
        if not isinstance(bases, (list, tuple)) or not all(isinstance(b, str) for b in bases):
            raise ConfigError(f'{filename}, line {node.lineno}: _base_ must be a path or a list '
                              "of paths written as string literals, e.g. _base_ = ['a.py'].")
    return [osp.abspath(osp.join(osp.dirname(filename), base)) for base in bases]


def _load_bases(base_files, filename, loading):
    """Load the bases of ``filename``; return (merged dict, texts). A key in two bases raises."""
    merged, texts, origin = {}, [], {}
    for base in base_files:
        if not osp.isfile(base):
            raise ConfigError(f'{filename} inherits from {base}, which does not exist; fix its '
                              '_base_ path (relative to the file itself).')
        base_dict, base_text = _file2dict(base, loading)
        for key in base_dict:
            if key in origin:
                raise ConfigError(f"Key '{key}' is defined in both {origin[key]} and {base}, "
                                  f'the bases of {filename}; define it in only one of them.')
            origin[key] = base
        merged.update(base_dict)
        texts.append(base_text)
    return merged, texts


def _substitute_base_refs(source, base_dict, filename):
    """Replace each ``{{_base_.key}}`` (bare or as a whole quoted string) by the base value's
    Python source; the value is one line, so line numbers stay those of the file."""
    def value_source(match):
        key = match.group(match.lastindex)
        try:
            value = _lookup(base_dict, key.split('.'))
        except (KeyError, IndexError, TypeError, ValueError):
            raise ConfigError(f'{filename} references {{{{_base_.{key}}}}}, which its base files '
                              'do not define; fix the reference or the _base_ list.') from None
        return _source_of(value, key)

    return _BASE_REF.sub(value_source, _QUOTED_BASE_REF.sub(value_source, source))


def _error_line(err, filename):
    """The line of ``filename`` where ``err`` was raised (the innermost such frame)."""
    if isinstance(err, SyntaxError):
        return err.lineno
    line, tb = '?', err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _execute(tree, filename, base_dict):
    """Run the config module ``tree`` with ``_base_`` bound to its bases; return its plain data."""
    namespace = {BASE_KEY: ConfigDict(base_dict)}
    try:
        exec(compile(tree, filename, 'exec'), namespace)  # the user's own config file, like mmcv
    except Exception as err:
        raise ConfigError(f'{filename}, line {_error_line(err, filename)}: '
                          f'{type(err).__name__}: {err}; fix the config file.') from err
    return {name: value for name, value in namespace.items()
            if name != BASE_KEY and not name.startswith('__') and not isinstance(value, _NOT_DATA)}


def _file2dict(filename, loading=()):
    """Load a config file with all its bases.

    Args:
        filename: path of the ``.py`` config file.
        loading: absolute paths of the files whose bases are being loaded (cycle detection).

    Returns:
        ``(cfg_dict, text)``: the merged plain dict and the sources of the bases and the file,
        each headed by ``# <path>``.
    """
    filename = osp.abspath(osp.expanduser(filename))
    if filename in loading:
        raise ConfigError(f'{filename} inherits from itself through _base_ '
                          f'({" -> ".join(loading + (filename,))}); break the cycle.')
    raw = _read_source(filename)
    source = _substitute_predefined_vars(raw, filename)
    # Base references are not Python yet ({{_base_.a.0}}); mask them to find the _base_ list.
    base_files = _base_files(_parse(_BASE_REF.sub('None', source), filename), filename)
    base_dict, texts = _load_bases(base_files, filename, loading + (filename,))
    tree = _parse(_substitute_base_refs(source, base_dict, filename), filename)
    tree.body = [node for node in tree.body if not _assigns_base(node)]
    own = _execute(tree, filename, base_dict)
    texts.append(f'# {filename}\n{raw}')
    return _merge(base_dict, own), '\n'.join(texts)


def _import_custom_modules(spec, where):
    """Import ``custom_imports=dict(imports=[...], allow_failed_imports=False)`` of a config."""
    if spec is None:
        return
    imports = spec.get('imports', []) if isinstance(spec, dict) else None
    imports = [imports] if isinstance(imports, str) else imports
    if (not isinstance(imports, (list, tuple)) or not all(isinstance(i, str) for i in imports)
            or not set(spec) <= {'imports', 'allow_failed_imports'}):
        raise ConfigError(f'custom_imports in {where} must look like '
                          "dict(imports=['my_package.my_module'], allow_failed_imports=False).")
    for name in imports:
        try:
            importlib.import_module(name)
            allow_custom_module(name)
        except ImportError as err:
            message = (f"custom_imports in {where}: module '{name}' could not be imported ({err}); "
                       f'it was searched on sys.path {sys.path}')
            if spec.get('allow_failed_imports', False):
                warnings.warn(f'{message}; skipped because allow_failed_imports=True.', UserWarning)
                continue
            raise ConfigError(f'{message}; install it or add its folder to PYTHONPATH.') from err


@contextlib.contextmanager
def _nesting_guard(where):
    """Turn Python's RecursionError on absurdly deep configs into a ConfigError naming them."""
    try:
        yield
    except RecursionError:
        raise ConfigError(f'{where} is nested too deeply for Python to process (it hit the '
                          'recursion limit); flatten its dicts and lists.') from None


def _check_not_reserved(key):
    if key in _RESERVED_KEYS:
        raise ConfigError(f"Config key '{key}' is reserved by the Config class; rename it.")


# ---------------------------------------------------------------------------- Config
class Config:
    """A loaded config: attribute and item access over a :class:`ConfigDict`.

    Args:
        cfg_dict: the configuration (a dict; nested dicts become ``ConfigDict``s).
        cfg_text: the source it came from (see :attr:`text`).
        filename: path of the config file, if any.
    """

    def __init__(self, cfg_dict=None, cfg_text='', filename=None):
        cfg_dict = {} if cfg_dict is None else cfg_dict
        if not isinstance(cfg_dict, dict):
            raise TypeError(f'cfg_dict must be a dict, got {type(cfg_dict)!r}')
        for key in cfg_dict:
            _check_not_reserved(key)
        object.__setattr__(self, '_cfg_dict', ConfigDict(cfg_dict))
        object.__setattr__(self, '_text', cfg_text or '')
        object.__setattr__(self, '_filename', filename)

    @classmethod
    def fromfile(cls, filename):
        """Load a ``.py`` config file and its bases, then import its ``custom_imports``."""
        filename = osp.abspath(osp.expanduser(filename))
        with _nesting_guard(f'Config file {filename}'):
            cfg_dict, text = _file2dict(filename)
            _import_custom_modules(cfg_dict.get('custom_imports'), filename)
            return cls(cfg_dict, text, filename)

    @classmethod
    def fromstring(cls, cfg_str, file_format='.py'):
        """Load a config from Python source (``_base_`` paths are then relative to a temporary
        folder, so use absolute ones)."""
        if file_format != '.py':
            raise ConfigError(f"Config.fromstring got file_format='{file_format}'; only '.py' "
                              'configs exist in osmnseg.')
        with tempfile.TemporaryDirectory() as folder:
            path = osp.join(folder, 'config.py')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(cfg_str)
            with _nesting_guard('The config string'):
                cfg_dict, _ = _file2dict(path)
        _import_custom_modules(cfg_dict.get('custom_imports'), '<string>')
        with _nesting_guard('The config string'):
            return cls(cfg_dict, cfg_str)

    @property
    def filename(self):
        """Absolute path of the config file (``None`` for configs not loaded from a file)."""
        return self._filename

    @property
    def text(self):
        """Source of the bases and of the file itself, each headed by ``# <path>``."""
        return self._text

    @property
    def pretty_text(self):
        """The merged config as yapf-formatted Python (``dict(...)`` style) that re-loads equal."""
        lines = []
        with _nesting_guard(f'Config {self._filename or "<string>"}'):
            for key, value in self.to_dict().items():
                if not _is_identifier(key):
                    raise ConfigError(f"Top-level config key {key!r} is not a Python identifier, "
                                      'so it cannot be written as a config file; rename it.')
                lines.append(f'{key} = {_source_of(value, key)}')
            text, _ = FormatCode('\n'.join(lines) + '\n', style_config=_YAPF_STYLE)
        return text

    def dump(self, file):
        """Write :attr:`pretty_text` to ``file`` atomically (temporary file + ``os.replace``)."""
        text = self.pretty_text
        path = osp.abspath(osp.expanduser(file))
        os.makedirs(osp.dirname(path), exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=osp.dirname(path), prefix=f'.{osp.basename(path)}.')
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(text)
            os.replace(tmp_path, path)
        except BaseException:
            os.remove(tmp_path)
            raise

    def merge_from_dict(self, options, strict=False):
        """Set values by dotted keys: ``{'model.backbone.depth': 16, 'data.pipeline.2.scale': 1}``.

        Integer parts index lists and tuples. A dict value merges into an existing dict (honouring
        ``_delete_``); anything else replaces. Missing keys are created, unless ``strict``: then an
        unknown key raises a ConfigError naming its closest matches.
        """
        tree = self.to_dict()
        for full_key, value in options.items():
            tree = _assign(tree, full_key.split('.'), _to_plain(value), strict)
        for key in tree:
            _check_not_reserved(key)
        object.__setattr__(self, '_cfg_dict', ConfigDict(tree))

    def to_dict(self):
        """The configuration as plain nested dicts, lists and tuples (a copy)."""
        return _to_plain(self._cfg_dict)

    def get(self, key, default=None):
        return self._cfg_dict.get(key, default)

    def keys(self):
        return self._cfg_dict.keys()

    def values(self):
        return self._cfg_dict.values()

    def items(self):
        return self._cfg_dict.items()

    def copy(self):
        """A copy whose dicts, lists and tuples are new (leaf values are shared)."""
        return Config(self._cfg_dict, self._text, self._filename)

    def deepcopy(self):
        """A copy sharing nothing with this config."""
        return Config(copy.deepcopy(self._cfg_dict), self._text, self._filename)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.deepcopy()

    def __getattr__(self, name):
        cfg_dict = self.__dict__.get('_cfg_dict')
        if cfg_dict is None or name.startswith('__'):
            raise AttributeError(name)
        return getattr(cfg_dict, name)

    def __getitem__(self, name):
        return self._cfg_dict[name]

    def __setattr__(self, name, value):
        self[name] = value

    def __setitem__(self, name, value):
        _check_not_reserved(name)
        self._cfg_dict[name] = ConfigDict({name: value})[name]  # nested dicts become ConfigDicts

    def __delitem__(self, name):
        del self._cfg_dict[name]

    def __contains__(self, name):
        return name in self._cfg_dict

    def __iter__(self):
        return iter(self._cfg_dict)

    def __len__(self):
        return len(self._cfg_dict)

    def __repr__(self):
        return f'Config (path: {self._filename}): {self.to_dict()!r}'


_RESERVED_KEYS = frozenset(name for name in dir(Config) if not name.startswith('_'))


def _list_index(items, key, path):
    index = int(key) if key.isdigit() else -1
    if not 0 <= index < len(items):
        raise ConfigError(f"Config key '{path}' indexes a list of {len(items)} items; use an "
                          f'integer index below {len(items)} or set the whole list.')
    return index


def _assign(node, parts, value, strict, prefix=''):
    """Return ``node`` with ``value`` merged in at the dotted path ``parts`` (merge_from_dict)."""
    key, rest = parts[0], parts[1:]
    path = prefix + key
    if isinstance(node, (list, tuple)):
        items = list(node)
        index = _list_index(items, key, path)
        items[index] = (_assign(items[index], rest, value, strict, path + '.') if rest
                        else _merge(items[index], value))
        return tuple(items) if isinstance(node, tuple) else items
    if not isinstance(node, dict):
        raise ConfigError(f"Config key '{path}' cannot be set because '{prefix[:-1]}' is a "
                          f'{type(node).__name__}, not a dict or list; shorten the key.')
    if key not in node:
        if strict:
            raise ConfigError(f"Config key '{path}' does not exist (strict mode)"
                              f'{_close_matches_hint(key, node, prefix)}; fix the key, or leave '
                              'strict mode to add it.')
        node[key] = {}
    node[key] = (_assign(node[key], rest, value, strict, path + '.') if rest
                 else _merge(node[key], value))
    return node


# ---------------------------------------------------------------------------- command line
def _scan(text):
    """Yield ``(index, char, depth)`` for the characters of ``text`` outside quotes; ``depth``
    is the number of brackets open around the character (a bracket counts as outside itself)."""
    depth, quote = 0, None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
            continue
        if char in '\'"':
            quote = char
            continue
        if char in ')]}':
            depth -= 1
        yield index, char, depth
        if char in '([{':
            depth += 1


def _split_top_level(text):
    """Split ``text`` at the commas outside brackets and quotes; empty parts are dropped."""
    cuts = [index for index, char, depth in _scan(text) if char == ',' and depth == 0]
    parts = [text[start + 1:end] for start, end in zip([-1] + cuts, cuts + [len(text)])]
    return [part.strip() for part in parts if part.strip()]


def _is_bracketed(text):
    """Whether ``text`` is one ``[...]`` or ``(...)`` group (not e.g. ``[1]+[2]``)."""
    if len(text) < 2 or (text[0], text[-1]) not in (('[', ']'), ('(', ')')):
        return False
    return all(depth > 0 for index, _, depth in _scan(text) if 0 < index < len(text) - 1)


def parse_cfg_value(text):
    """Parse one ``--cfg-options`` value without evaluating code.

    ``ast.literal_eval`` where it applies (numbers, quoted strings, ``True``/``None``, lists,
    tuples, dicts); otherwise mmcv's rules: ``a,b`` is a list, ``[a,b]``/``(a,b)`` a list/tuple of
    parsed items (nesting allowed), ``true``/``false``/``none`` in any case are bool/None, and
    anything else stays the string it is (so ``__import__('os')`` is just a string).
    """
    text = text.strip()
    parts = _split_top_level(text)
    if len(parts) > 1 or (len(parts) == 1 and text.endswith(',')):
        return [parse_cfg_value(part) for part in parts]
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if text.lower() in _WORD_LITERALS:
        return _WORD_LITERALS[text.lower()]
    if _is_bracketed(text):
        items = [parse_cfg_value(part) for part in _split_top_level(text[1:-1])]
        return tuple(items) if text[0] == '(' else items
    return text


def parse_cfg_options(items):
    """``['a.b=1', 'c=x,y']`` -> ``{'a.b': 1, 'c': ['x', 'y']}`` (see :func:`parse_cfg_value`)."""
    options = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not key.strip():
            raise ConfigError(f"--cfg-options item '{item}' is not KEY=VALUE; write it like "
                              'model.backbone.frozen_stages=2.')
        if key.strip().split('.')[0] == 'custom_imports':
            raise ConfigError(f"--cfg-options item '{item}' sets custom_imports, which imports "
                              'code; list your modules in the config file instead.')
        with _nesting_guard(f"--cfg-options item '{key.strip()}'"):
            options[key.strip()] = parse_cfg_value(value)
    return options


class DictAction(argparse.Action):
    """argparse action for ``--cfg-options k=v k2=v2``; may be given several times (merged, the
    later value of a key wins). The result is a dict for :meth:`Config.merge_from_dict`."""

    def __init__(self, option_strings, dest, nargs='+', **kwargs):
        super().__init__(option_strings, dest, nargs=nargs, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        options = dict(getattr(namespace, self.dest, None) or {})
        try:
            options.update(parse_cfg_options([values] if isinstance(values, str) else values))
        except ConfigError as err:
            parser.error(str(err))
        setattr(namespace, self.dest, options)
