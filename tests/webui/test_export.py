"""Exports: palette PNGs in the DAVIS results layout; overlay MP4 at the video's own frame rate
(24 frames/s, or the rate asked for, for frames of a zip); GIF at a stated size."""
import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from osmnseg.apis.visualization import overlay_mask
from webui_client import open_clip, session_of, set_mask, upload
from webui_inputs import SIZE, box_mask, frames, frames_zip


@pytest.fixture
def painted(client):
    """A 4-frame clip with masks on frames 0 and 2; returns its summary."""
    summary, _ = open_clip(client, count=4)
    for index, value in ((0, 1), (2, 3)):
        set_mask(client, summary['id'], index, box_mask(value))
    return summary


def test_the_masks_zip_holds_palette_pngs_in_davis_layout(client, painted):
    response = client.get(f"/api/clips/{painted['id']}/export/masks.zip")
    assert response.status_code == 200
    assert 'clip_masks.zip' in response.headers['content-disposition']
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [f'clip/{i:05d}.png' for i in range(4)]
        images = [Image.open(io.BytesIO(archive.read(name))) for name in archive.namelist()]
    assert {image.mode for image in images} == {'P'}
    assert images[0].getpalette()[3:6] == [128, 0, 0]
    expected = [box_mask(1), np.zeros(SIZE, np.uint8), box_mask(3), np.zeros(SIZE, np.uint8)]
    for image, mask in zip(images, expected):
        np.testing.assert_array_equal(np.asarray(image), mask)


def test_the_overlay_gif_shows_the_masks_over_the_frames(client, painted):
    response = client.get(f"/api/clips/{painted['id']}/export/overlay.gif?fps=5")
    assert response.status_code == 200
    gif = Image.open(io.BytesIO(response.content))
    assert gif.n_frames == 4 and gif.info['duration'] == 200
    clip = session_of(client).clip(painted['id'])
    expected = overlay_mask(clip.read_frame(0), clip.mask(0)).astype(int)
    gif.seek(0)
    assert np.abs(np.asarray(gif.convert('RGB')).astype(int) - expected).mean() < 20


@pytest.mark.parametrize('query,size', [('', (240, 480)), ('?max_side=0', (300, 600)),
                                        ('?max_side=200', (100, 200))])
def test_the_gif_size_is_the_one_asked_for(client, query, size):
    smooth = np.broadcast_to(np.arange(600, dtype=np.uint8)[:, None], (2, 300, 600, 3))
    summary = upload(client, frames_zip(smooth)).json()  # under the upload limit
    response = client.get(f"/api/clips/{summary['id']}/export/overlay.gif{query}")
    assert Image.open(io.BytesIO(response.content)).size == size[::-1]


def mp4_fps(client, clip_id, query, path):
    """The frame rate the exported overlay MP4 (saved to ``path``) declares."""
    from osmnseg.io.video import video_info
    response = client.get(f'/api/clips/{clip_id}/export/overlay.mp4{query}')
    assert response.status_code == 200, response.text
    path.write_bytes(response.content)
    return video_info(str(path)).fps


def test_the_overlay_mp4_plays_at_the_videos_own_rate(client, tmp_path):
    import imageio.v2 as imageio
    from osmnseg.io.video import write_mp4
    source = tmp_path / 'walk.mp4'
    write_mp4(str(source), frames(5, size=(32, 48)), fps=12)
    summary = upload(client, source.read_bytes(), 'walk.mp4').json()
    assert mp4_fps(client, summary['id'], '', tmp_path / 'own.mp4') == 12
    assert mp4_fps(client, summary['id'], '?fps=30', tmp_path / 'asked.mp4') == 30
    with imageio.get_reader(str(tmp_path / 'own.mp4')) as reader:
        assert sum(1 for _ in reader) == 5


def test_the_overlay_mp4_of_frames_plays_at_24_frames_per_second_unless_asked(client, painted,
                                                                            tmp_path):
    assert mp4_fps(client, painted['id'], '', tmp_path / 'default.mp4') == 24
    assert mp4_fps(client, painted['id'], '?fps=30', tmp_path / 'asked.mp4') == 30


def test_exports_leave_no_file_in_the_session(client, painted):
    for kind in ('masks.zip', 'overlay.gif', 'overlay.mp4'):
        client.get(f"/api/clips/{painted['id']}/export/{kind}")
    session = session_of(client)
    assert os.listdir(session.directory) == [painted['id']]
