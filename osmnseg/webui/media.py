"""Decoding what a person uploads and encoding what the page shows and exports.

Uploads are read from the server's own temporary files; names inside a zip are only sorted and
shown in messages, never used as paths. Every refusal is a ``DataError`` with one sentence that
the page shows.
"""
import io
import os
import re
import tempfile
import zipfile

import numpy as np
from PIL import Image, UnidentifiedImageError

from osmnseg.apis.visualization import overlay_mask
from osmnseg.io.folders import FRAME_EXTENSIONS
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.io.video import read_video_frames, require_video_extra, write_gif, write_mp4
from osmnseg.utils.errors import DataError

JPEG_QUALITY = 90
BINARY_OBJECT = 255  # a 0/255 grey mask is one object
EXPORT_FORMATS = ('mp4', 'gif')


def natural_key(name):
    """Sort key that puts ``frame2`` before ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


def upload_frames(path, label):
    """The frames of an uploaded clip: a zip of images or a video (MP4 and what ffmpeg reads).

    Args:
        path: the server's temporary copy of the upload.
        label: how messages name the upload (its sanitised name).

    Returns:
        iterator of ``(label, [H, W, 3] uint8 RGB)``, decoded one at a time.
    """
    if zipfile.is_zipfile(path):
        return zip_frames(path, label)
    require_video_extra()
    return video_frames(path, label)


def zip_frames(path, label):
    """Frames of a zip: its .jpg/.jpeg/.png members in natural name order (folders, hidden
    files and macOS resource forks ignored)."""
    with zipfile.ZipFile(path) as archive:
        members = sorted((info.filename for info in archive.infolist()
                          if not info.is_dir() and _is_frame(info.filename)), key=natural_key)
        if not members:
            raise DataError(f'{label} holds no .jpg/.jpeg/.png frame; zip the frames of one '
                            'clip.')
        for member in members:
            yield member, _read_member(archive, member, label)


def _is_frame(member):
    parts = member.split('/')
    return (member.lower().endswith(FRAME_EXTENSIONS) and '__MACOSX' not in parts
            and not parts[-1].startswith('.'))


def _read_member(archive, member, label):
    try:
        with archive.open(member) as file, Image.open(file) as image:
            return np.asarray(image.convert('RGB'), np.uint8)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError, zipfile.BadZipFile) as err:
        raise DataError(f'{member} in {label} is not a readable image; replace it or leave it '
                        'out of the zip.') from err


def video_frames(path, label):
    """Frames of a video file, decoded by imageio's ffmpeg plugin."""
    try:
        for index, frame in enumerate(read_video_frames(path)):
            yield f'frame {index} of {label}', frame
    except (OSError, RuntimeError, ValueError) as err:  # imageio's "cannot handle" and decoding
        raise DataError(f'{label} is neither a video nor a zip of frames that this server can '
                        'read; upload an MP4 or a zip of .jpg/.png frames.') from err


def decode_index_png(data, label, size):
    """An uploaded mask: a palette or 8-bit grey PNG of object ids.

    Args:
        data: the PNG's bytes.
        label: how messages name it.
        size: ``(H, W)`` of the clip's frames.

    Returns:
        ``[H, W] uint8`` object ids; a 0/255 mask becomes object 1.

    Raises:
        DataError: not an index PNG, another size, or no object in it.
    """
    try:
        ids = load_index_png(io.BytesIO(data))
    except DataError as err:
        raise DataError(f'{label} is not a palette or 8-bit grey PNG of object ids; save the '
                        'mask as an index PNG.') from err
    if ids.shape != tuple(size):
        raise DataError(f'{label} is {ids.shape[1]}x{ids.shape[0]} pixels but the clip\'s '
                        f'frames are {size[1]}x{size[0]}; upload a mask of the frame size.')
    if not ids.any():
        raise DataError(f'{label} holds no object (every pixel is 0); give at least one object '
                        'an id of 1 or more.')
    if set(np.unique(ids)) == {0, BINARY_OBJECT}:
        ids = (ids > 0).astype(np.uint8)
    return ids


def decode_raw_mask(data, size):
    """A mask painted in the page: ``H * W`` bytes of object ids, row by row.

    Raises:
        DataError: the byte count does not match the frame size.
    """
    height, width = size
    if len(data) != height * width:
        raise DataError(f'the mask has {len(data)} bytes but a {width}x{height} frame needs '
                        f'{height * width}; reload the page.')
    return np.frombuffer(data, np.uint8).reshape(height, width)


def encode_jpeg(frame):
    """``[H, W, 3] uint8`` RGB as JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(frame)).save(buffer, format='JPEG', quality=JPEG_QUALITY)
    return buffer.getvalue()


def write_masks_zip(path, masks, folder):
    """A zip of palette PNGs in the DAVIS results layout: ``<folder>/00000.png``, ...

    Args:
        path: the zip to write.
        masks: ``[N, H, W] uint8`` object ids.
        folder: the sequence folder inside the zip.
    """
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as scratch, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as archive:  # PNGs are compressed
        png = os.path.join(scratch, 'mask.png')
        for index, mask in enumerate(masks):
            save_palette_png(png, mask)
            archive.write(png, f'{folder}/{index:05d}.png')


def write_overlay_video(path, frames, masks, fps):
    """The masks drawn over the frames as an MP4 (``.mp4``, video extra) or a GIF (``.gif``).

    Args:
        path: output file; its extension picks the format.
        frames: ``[N, H, W, 3] uint8``.
        masks: ``[N, H, W] uint8``.
        fps: frames per second.
    """
    overlays = (overlay_mask(frame, mask) for frame, mask in zip(frames, masks))
    if path.endswith('.gif'):
        write_gif(path, overlays, fps=fps)
    else:
        write_mp4(path, overlays, fps=fps)
