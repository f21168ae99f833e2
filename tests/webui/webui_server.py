"""Start ``tools/webui.py`` in the background and wait until it answers."""
import socket
import time
import urllib.error
import urllib.request

import pytest


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_for_server(process, url, timeout=180):
    """Poll ``url`` until it answers and return the body; fails when the process exits or time
    runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, open(process.output_path).read()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f'{url} did not answer within {timeout} s')


def start_webui(start_subprocess, config, work_dir, *options, **variables):
    """``(process, url)`` of ``tools/webui.py CONFIG WORK_DIR OPTIONS`` on a free port, once
    its page answers."""
    port = free_port()
    process = start_subprocess(['python', 'tools/webui.py', config, work_dir, '--port', port,
                                *options], name='webui', **variables)
    url = f'http://127.0.0.1:{port}'
    wait_for_server(process, url + '/api/info')
    return process, url
