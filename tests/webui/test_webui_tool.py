"""``tools/webui.py`` as a person starts it: it builds the data set's sequence list, prints its
URL, serves the page on 127.0.0.1 and removes its temporary folder when stopped with Ctrl+C."""
import json
import signal
import urllib.request

import pytest

from segmenter_inputs import TINY_CONFIG
from webui_server import start_webui


def get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def test_the_tool_serves_the_page_and_cleans_up_on_ctrl_c(tmp_path, tiny_work_dir,
                                                          start_subprocess):
    temp = tmp_path / 'tmp'
    temp.mkdir()
    process, url = start_webui(start_subprocess, TINY_CONFIG, tiny_work_dir, '--max-frames', 50,
                               '--cfg-options', f'data.test.data_root={tmp_path / "toyvos"}',
                               TMPDIR=temp)
    assert (tmp_path / 'toyvos' / 'JPEGImages').is_dir()  # the data set was built at start
    assert b'/static/app.js' in get(url + '/')
    info = json.loads(get(url + '/api/info'))
    assert info['max_frames'] == 50 and info['model'] == 'tiny_toyvos.py'
    assert json.loads(get(url + '/api/sequences'))['names'] == ['toy_val_000', 'toy_val_001']
    [server_folder] = temp.glob('osmnseg-webui-*')
    assert any(server_folder.iterdir())  # the sessions of the requests above
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    output = open(process.output_path).read()
    assert f'osmnseg web app: {url}' in output
    assert not server_folder.exists()


@pytest.mark.parametrize('option', ['--max-frames', '--max-disk-gb'])
def test_limits_must_be_positive(run_subprocess, tiny_work_dir, option):
    result = run_subprocess(['python', 'tools/webui.py', TINY_CONFIG, tiny_work_dir,
                             option, 0], check=False)
    assert result.returncode == 2 and 'must be positive' in result.stderr
