"""Exports: palette PNGs in the DAVIS results layout, overlay MP4 and GIF."""
import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from osmnseg.apis.visualization import overlay_mask
from webui_client import open_clip, session_of
from webui_inputs import SIZE, box_mask


@pytest.fixture
def painted(client):
    """A 4-frame clip with masks on frames 0 and 2; returns its summary."""
    summary, _ = open_clip(client, count=4)
    for index, value in ((0, 1), (2, 3)):
        client.put(f"/api/clips/{summary['id']}/masks/{index}", content=box_mask(value).tobytes())
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
    expected = overlay_mask(clip.frames[0], clip.masks[0]).astype(int)
    gif.seek(0)
    assert np.abs(np.asarray(gif.convert('RGB')).astype(int) - expected).mean() < 20


def test_the_overlay_mp4_has_every_frame(client, painted, tmp_path):
    import imageio.v2 as imageio
    response = client.get(f"/api/clips/{painted['id']}/export/overlay.mp4")
    assert response.status_code == 200
    path = tmp_path / 'overlay.mp4'
    path.write_bytes(response.content)
    with imageio.get_reader(str(path)) as reader:
        assert sum(1 for _ in reader) == 4


def test_exports_leave_no_file_in_the_session(client, painted):
    for kind in ('masks.zip', 'overlay.gif', 'overlay.mp4'):
        client.get(f"/api/clips/{painted['id']}/export/{kind}")
    session = session_of(client)
    assert os.listdir(session.directory) == [painted['id']]
