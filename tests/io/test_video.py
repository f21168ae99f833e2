"""Video files (osmnseg/io/video.py): GIFs with PIL, MP4 in and out with the video extra."""
import sys

import numpy as np
import pytest
from PIL import Image

from osmnseg.io.video import (VideoInfo, read_video_frames, require_video_extra, video_info,
                              write_gif, write_mp4)
from osmnseg.utils.errors import ConfigError
from requirements import VIDEO_EXTRA, require


def _frames(count, size=(40, 60)):
    return [np.full(size + (3,), 40 * i, np.uint8) for i in range(count)]


def test_gif_loops_scales_down_and_takes_paths_or_arrays(tmp_path):
    frames = _frames(4)
    path = tmp_path / 'f.png'
    Image.fromarray(frames[0]).save(path)
    assert write_gif(str(tmp_path / 'out' / 'clip.gif'), iter([str(path)] + frames[1:]), fps=5,
                     max_size=30)
    with Image.open(tmp_path / 'out' / 'clip.gif') as gif:
        assert gif.n_frames == 4 and gif.size == (30, 20)
        assert gif.info['duration'] == 200 and gif.info['loop'] == 0
        gif.seek(3)
        assert np.asarray(gif.convert('RGB'))[10, 10].tolist() == [120, 120, 120]
    assert not write_gif(str(tmp_path / 'empty.gif'), [])
    assert not (tmp_path / 'empty.gif').exists()


@pytest.fixture
def without_video_extra(monkeypatch):
    """Imports of imageio / imageio_ffmpeg fail, as on a machine without the extra."""
    for name in ('imageio', 'imageio.v2', 'imageio_ffmpeg'):
        monkeypatch.setitem(sys.modules, name, None)


def test_mp4_without_the_video_extra_says_how_to_install_it(tmp_path, without_video_extra):
    message = r'optional video extra; install it with pip install -e "\.\[video\]"'
    with pytest.raises(ConfigError, match=message):
        require_video_extra()
    with pytest.raises(ConfigError, match=message):
        write_mp4(str(tmp_path / 'clip.mp4'), _frames(1))
    with pytest.raises(ConfigError, match=message):
        next(read_video_frames(str(tmp_path / 'clip.mp4')))
    assert not (tmp_path / 'clip.mp4').exists()


def test_mp4_round_trip_keeps_frame_count_size_and_colours(tmp_path):
    require(VIDEO_EXTRA)
    path = str(tmp_path / 'clip.mp4')
    write_mp4(path, _frames(5, size=(32, 48)), fps=5)
    frames = list(read_video_frames(path))
    assert len(frames) == 5
    assert all(frame.shape == (32, 48, 3) and frame.dtype == np.uint8 for frame in frames)
    means = [float(frame.mean()) for frame in frames]
    np.testing.assert_allclose(means, [0, 40, 80, 120, 160], atol=4)  # H.264 is lossy


def test_a_video_is_decoded_at_the_size_asked_and_its_header_read(tmp_path, caplog):
    require(VIDEO_EXTRA)
    path = str(tmp_path / 'clip.mp4')
    write_mp4(path, _frames(3, size=(64, 96)), fps=7)
    assert video_info(path) == VideoInfo(7.0, (64, 96))
    frames = list(read_video_frames(path, size=(32, 48)))
    assert [frame.shape for frame in frames] == [(32, 48, 3)] * 3
    np.testing.assert_allclose([float(frame.mean()) for frame in frames], [0, 40, 80], atol=4)
    assert 'different from the source frame size' not in caplog.text  # asked for on purpose
