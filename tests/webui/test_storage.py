"""What a clip takes on disk: real 480p DAVIS frames kept as their JPEG files and masks as
palette PNGs come to at most 0.35 MB per frame (about 0.1 MB), and the disk budget counts
exactly the files there are."""
import os
import zipfile

import numpy as np

from osmnseg.io.palette import load_index_png
from osmnseg.webui.sessions import Limits
from requirements import DAVIS_DEV, DAVIS_DEV_DATA, require
from webui_client import session_of, set_mask, upload

SEQUENCE = 'blackswan'
FRAMES = 20
MAX_MB_PER_FRAME = 0.35


def test_a_480p_davis_frame_with_its_mask_takes_under_a_third_of_a_megabyte(make_client,
                                                                            tmp_path):
    require(DAVIS_DEV_DATA)
    client = make_client(limits=Limits(max_frames=100, max_upload_mb=50))
    frames = os.path.join(DAVIS_DEV, 'JPEGImages', '480p', SEQUENCE)
    annotations = os.path.join(DAVIS_DEV, 'Annotations', '480p', SEQUENCE)
    names = sorted(os.listdir(frames))[:FRAMES]
    clip_zip = tmp_path / 'blackswan.zip'
    with zipfile.ZipFile(clip_zip, 'w') as archive:
        for name in names:
            archive.write(os.path.join(frames, name), name)
    summary = upload(client, clip_zip.read_bytes(), 'blackswan.zip').json()
    assert (summary['height'], summary['width']) == (480, 854)
    for index, name in enumerate(names):
        truth = load_index_png(os.path.join(annotations, name.replace('.jpg', '.png')))
        set_mask(client, summary['id'], index, (truth > 0).astype(np.uint8))
    clip = session_of(client).clip(summary['id'])
    on_disk = sum(os.path.getsize(os.path.join(folder, name))
                  for folder, _, files in os.walk(clip.directory) for name in files)
    disk_bytes = client.get(f"/api/clips/{summary['id']}").json()['disk_bytes']
    assert disk_bytes == on_disk == client.app.state.store.budget.used
    megabytes_per_frame = on_disk / FRAMES / 1e6
    print(f'{SEQUENCE}: {megabytes_per_frame:.3f} MB per 480p frame with its mask')
    assert megabytes_per_frame <= MAX_MB_PER_FRAME
