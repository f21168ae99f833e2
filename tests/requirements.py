"""What parts of the test suite need beyond ``pip install -e .``, and what happens without it.

On a user's machine a test whose requirement is missing is skipped, and ``-rs`` prints why. With
``OSMNSEG_REQUIRE=all`` (set by ``.ci/run``) the same test fails instead, naming what is missing
and how to get it, and tests/conftest.py refuses to start at all while anything of :data:`ALL`
is missing, in one line. Skips that depend on the platform (a GPU-only test on a CPU machine, a
bf16 test on a CPU without native bf16) are plain ``pytest.mark.skipif`` marks, not requirements.

``../shared`` (data, weights, the original OSMN code) is the folder beside the checkout, or
``$OSMNSEG_SHARED``; the original code alone can also be pointed at with ``$OSMN_ORIGINAL_CODE``.
"""
import dataclasses
import importlib.util
import os
import shutil
from typing import Callable

import pytest

REQUIRE_ENV = 'OSMNSEG_REQUIRE'
SHARED_ENV = 'OSMNSEG_SHARED'
ORIGINAL_CODE_ENV = 'OSMN_ORIGINAL_CODE'
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.abspath(os.environ.get(SHARED_ENV) or os.path.join(REPO, '..', 'shared'))
DAVIS_DEV = os.path.join(SHARED, 'data', 'davis2016_dev')
DAVIS_TRAIN = os.path.join(SHARED, 'data', 'davis2016_train')
MOBILENET_CKPT = os.path.join(SHARED, 'weights', 'mobilenet_v1_1.0_224', 'mobilenet_v1_1.0_224.ckpt')
ORIGINAL_CODE = os.environ.get(ORIGINAL_CODE_ENV) or os.path.join(SHARED, 'peer', 'video_seg')
SHARED_FIX = f'put the shared folder beside the checkout or set {SHARED_ENV}'


@dataclasses.dataclass(frozen=True)
class Requirement:
    """Something a test needs: ``what`` it is, the ``fix`` that provides it, ``present()``
    whether this machine has it; ``in_shared`` for the parts of ``../shared``."""

    what: str
    fix: str
    present: Callable[[], bool]
    in_shared: bool = False

    def describe(self):
        """``'<what> (<fix>)'``, e.g. ``'chromium and chromedriver (apt-get install ...)'``."""
        return f'{self.what} ({self.fix})'


def python_modules(extra, *modules):
    """A :class:`Requirement` met when every top-level module of ``modules`` can be imported
    (looked up, not imported); they come with the setup.py ``extra``."""
    return Requirement(f'{", ".join(modules)} (the {extra} extra)', f'pip install -e ".[{extra}]"',
                       lambda: all(importlib.util.find_spec(name) for name in modules))


def shared_path(path, what, fix=SHARED_FIX):
    """A :class:`Requirement` met when ``path`` (a file or folder of ``../shared``) exists."""
    return Requirement(f'{what} at {path}', fix, lambda: os.path.exists(path), in_shared=True)


def chromium():
    """The path of Debian's chromium (or chromium-browser), or None."""
    return next(filter(None, map(shutil.which, ('chromium', 'chromium-browser'))), None)


BROWSER = Requirement('chromium and chromedriver (the web app browser test)',
                      'apt-get install chromium chromium-driver',
                      lambda: bool(chromium() and shutil.which('chromedriver')))
SELENIUM = python_modules('test', 'selenium')
XPROF = python_modules('test', 'xprof')
WEBUI_EXTRA = python_modules('webui', 'fastapi', 'uvicorn', 'multipart', 'cv2')
VIDEO_EXTRA = python_modules('video', 'imageio', 'imageio_ffmpeg')
PLOT_EXTRA = python_modules('plot', 'matplotlib')
COMPARE_EXTRA = python_modules('compare', 'tf_slim', 'tf_keras')
ONNX_EXTRA = python_modules('onnx', 'onnxruntime', 'tf2onnx', 'onnx')
LITERT_EXTRA = python_modules('litert', 'ai_edge_litert')
DAVIS_DEV_DATA = shared_path(DAVIS_DEV, 'real DAVIS 2016 val frames')
DAVIS_TRAIN_DATA = shared_path(DAVIS_TRAIN, 'real DAVIS 2016 train frames')
MOBILENET_WEIGHTS = shared_path(MOBILENET_CKPT + '.index', 'ImageNet MobileNet v1 weights')
ORIGINAL_OSMN_CODE = shared_path(os.path.join(ORIGINAL_CODE, 'model_func.py'),
                                 'the original OSMN code (linjieyangsc/video_seg)',
                                 f'{SHARED_FIX}, or {ORIGINAL_CODE_ENV} to a checkout')
ALL = (BROWSER, SELENIUM, XPROF, WEBUI_EXTRA, VIDEO_EXTRA, PLOT_EXTRA, COMPARE_EXTRA,
       ONNX_EXTRA, LITERT_EXTRA,
       DAVIS_DEV_DATA, DAVIS_TRAIN_DATA, MOBILENET_WEIGHTS, ORIGINAL_OSMN_CODE)


def required():
    """Whether a missing requirement fails the test (``OSMNSEG_REQUIRE=all``) instead of
    skipping it.

    Raises:
        pytest.UsageError: the variable has another value.
    """
    value = os.environ.get(REQUIRE_ENV, '')
    if value not in ('', 'all'):
        raise pytest.UsageError(f"{REQUIRE_ENV}={value!r}: the only value is 'all' (a missing "
                                'test requirement fails instead of skipping); unset it to skip')
    return value == 'all'


def require(*requirements):
    """Skip the calling test (or module, when called at import) unless every requirement is
    present; under ``OSMNSEG_REQUIRE=all`` fail it instead, naming what is missing."""
    __tracebackhide__ = True  # pytest reports the caller's line
    missing = [r.describe() for r in requirements if not r.present()]
    if not missing:
        return
    if required():
        pytest.fail(f'{REQUIRE_ENV}=all, but missing: {"; ".join(missing)}', pytrace=False)
    pytest.skip(f'missing {"; ".join(missing)}', allow_module_level=True)


def missing_summary(requirements=ALL):
    """One line naming every absent requirement (a missing ``../shared`` once, not each of its
    parts), or None when all are present."""
    missing = [r for r in requirements if not r.present()]
    if not os.path.isdir(SHARED) and any(r.in_shared for r in missing):
        missing = [r for r in missing if not r.in_shared]
        missing.insert(0, Requirement(f'../shared at {SHARED}', SHARED_FIX, lambda: False))
    if not missing:
        return None
    return (f'{REQUIRE_ENV}=all, but this machine lacks what the tests need: '
            + '; '.join(r.describe() for r in missing))
