"""Fixtures of the web app tests: the app around a fake core, a client of it, the real core on
the tiny random-weight model of tests/apis (and a work dir of it for tools/webui.py), and a
headless browser."""
import os
import sys

import pytest

from requirements import BROWSER, SELENIUM, WEBUI_EXTRA, require

require(WEBUI_EXTRA)

from fastapi.testclient import TestClient  # noqa: E402

from osmnseg.webui.app import create_app  # noqa: E402
from osmnseg.webui.sessions import Limits  # noqa: E402
from webui_inputs import CoreFactory  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'apis'))

LIMITS = Limits(max_frames=12, max_upload_mb=1, max_clips=2)


@pytest.fixture
def factory():
    return CoreFactory()


@pytest.fixture
def make_client(factory):
    """``make_client(**create_app kwargs)`` -> a started ``TestClient`` of a new app (the
    fake core's ``factory`` unless ``core_factory`` is given); all shut down at teardown."""
    clients = []

    def make(**kwargs):
        kwargs.setdefault('limits', LIMITS)
        client = TestClient(create_app(kwargs.pop('core_factory', factory), **kwargs))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture(scope='session')
def real_core_factory():
    """``() -> InferenceCore`` on the tiny random-weight model of tests/apis (float32)."""
    from osmnseg.apis import init_segmentor
    from osmnseg.apis.inference.core import InferenceCore
    from osmnseg.config import Config
    from segmenter_inputs import TINY_CONFIG, randomize

    cfg = Config.fromfile(TINY_CONFIG)
    model = init_segmentor(cfg, dtype='float32')
    randomize(model)
    return lambda: InferenceCore.from_config(model, cfg)


@pytest.fixture(scope='session')
def tiny_work_dir(tmp_path_factory):
    """A work dir with a checkpoint of the tiny random-weight model (for tools/webui.py)."""
    from osmnseg.config import Config
    from osmnseg.models import build_segmentor
    from osmnseg.models.checkpoint import save_checkpoint
    from segmenter_inputs import TINY_CONFIG, randomize

    work_dir = str(tmp_path_factory.mktemp('webui_work_dir'))
    model = build_segmentor(Config.fromfile(TINY_CONFIG).model)
    randomize(model)
    save_checkpoint(work_dir, 1, model)
    return work_dir


@pytest.fixture
def browser(tmp_path):
    """Headless chromium (tests/webui/webui_browser.py) whose downloads go to
    ``browser.download_dir``."""
    require(BROWSER, SELENIUM)
    from webui_browser import start_browser

    download_dir = tmp_path / 'downloads'
    download_dir.mkdir()
    driver = start_browser(download_dir)
    yield driver
    driver.quit()
