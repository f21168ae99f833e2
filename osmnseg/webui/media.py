"""Decoding what a person uploads and encoding what the page exports.

Uploads are read from the server's own temporary files; names inside a zip are only sorted and
shown in messages, never used as paths. A clip keeps its frames as image files: a zip's or a
data set's JPEG / PNG files as they are (checked to decode), a video's frames as JPEGs. Every
refusal is a ``DataError`` with one sentence that the page shows.
"""
import dataclasses
import hashlib
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
from osmnseg.io.video import (read_video_frames, require_video_extra, video_info, write_gif,
                              write_mp4)
from osmnseg.utils.errors import DataError

JPEG_QUALITY = 90
BINARY_OBJECT = 255  # a 0/255 grey mask is one object
EXPORT_FORMATS = ('mp4', 'gif')
KEPT_FORMATS = {'JPEG': '.jpg', 'PNG': '.png'}  # PIL format: suffix of a frame kept as uploaded
EXIF_ORIENTATION = 0x0112
COPY_CHUNK = 1 << 20


def natural_key(name):
    """Sort key that puts ``frame2`` before ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


@dataclasses.dataclass(frozen=True)
class EncodedFrame:
    """A frame as the file the clip keeps: a JPEG or PNG, checked to decode.

    Attributes:
        data: the file's bytes.
        suffix: ``'.jpg'`` or ``'.png'``.
        size: ``(H, W)``.
    """

    data: bytes
    suffix: str
    size: tuple


def copy_upload(source, path):
    """Copy an upload's file object into the server's file ``path``; returns its SHA-256 (hex),
    which tells a second upload of the same file."""
    digest = hashlib.sha256()
    with open(path, 'wb') as out:
        for chunk in iter(lambda: source.read(COPY_CHUNK), b''):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def upload_frames(path, label):
    """The frames of an uploaded clip: a zip of images or a video (MP4 and what ffmpeg reads).

    Args:
        path: the server's temporary copy of the upload.
        label: how messages name the upload (its sanitised name).

    Returns:
        ``(frames, fps)``: an iterator of ``(label, EncodedFrame)``, decoded one at a time, and
        the video's frame rate (``None`` for a zip or a video that declares none).
    """
    if zipfile.is_zipfile(path):
        return zip_frames(path, label), None
    require_video_extra()
    try:
        fps = video_info(path).fps
    except (OSError, RuntimeError, ValueError) as err:
        raise _not_a_clip(label) from err
    return video_frames(path, label), fps


def zip_frames(path, label):
    """Frames of a zip: its .jpg/.jpeg/.png members in natural name order (folders, hidden
    files and macOS resource forks ignored), kept as they are."""
    with zipfile.ZipFile(path) as archive:
        members = sorted((info.filename for info in archive.infolist()
                          if not info.is_dir() and _is_frame(info.filename)), key=natural_key)
        if not members:
            raise DataError(f'{label} holds no .jpg/.jpeg/.png frame; zip the frames of one '
                            'clip.')
        for member in members:
            try:
                data = archive.read(member)
            except (OSError, zipfile.BadZipFile, RuntimeError) as err:
                raise _unreadable(f'{member} in {label}') from err
            yield member, encoded_frame(data, f'{member} in {label}')


def _is_frame(member):
    parts = member.split('/')
    return (member.lower().endswith(FRAME_EXTENSIONS) and '__MACOSX' not in parts
            and not parts[-1].startswith('.'))


def encoded_frame(data, label):
    """The :class:`EncodedFrame` of an image file's bytes: the bytes themselves for an RGB or
    grey JPEG / PNG shown upright, else the decoded RGB pixels as a PNG (a browser would draw
    transparency, CMYK or an EXIF rotation otherwise than the model reads them).

    Raises:
        DataError: the bytes are not a complete image.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            size = (image.height, image.width)
            if (image.format in KEPT_FORMATS and image.mode in ('RGB', 'L')
                    and image.getexif().get(EXIF_ORIENTATION, 1) == 1):
                return EncodedFrame(data, KEPT_FORMATS[image.format], size)
            return EncodedFrame(encode_png(np.asarray(image.convert('RGB'))), '.png', size)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as err:
        raise _unreadable(label) from err


def read_frame_file(path):
    """The :class:`EncodedFrame` of an image file (a data set's frame).

    Raises:
        DataError: the file is missing or not a complete image.
    """
    try:
        with open(path, 'rb') as file:
            data = file.read()
    except OSError as err:
        raise DataError(f'{path} cannot be read ({err.strerror}); check the data set.') from err
    return encoded_frame(data, path)


def _unreadable(label):
    return DataError(f'{label} is not a readable image; replace it or leave it out of the clip.')


def _not_a_clip(label):
    return DataError(f'{label} is neither a video nor a zip of frames that this server can '
                     'read; upload an MP4 or a zip of .jpg/.png frames.')


def video_frames(path, label):
    """Frames of a video file, decoded by imageio's ffmpeg plugin and kept as JPEGs."""
    try:
        for index, frame in enumerate(read_video_frames(path)):
            yield f'frame {index} of {label}', EncodedFrame(encode_jpeg(frame), '.jpg',
                                                            frame.shape[:2])
    except (OSError, RuntimeError, ValueError) as err:  # imageio's "cannot handle" and decoding
        raise _not_a_clip(label) from err


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


def encode_jpeg(frame):
    """``[H, W, 3] uint8`` RGB as JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(frame)).save(buffer, format='JPEG', quality=JPEG_QUALITY)
    return buffer.getvalue()


def encode_png(frame):
    """``[H, W, 3] uint8`` RGB as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(frame)).save(buffer, format='PNG')
    return buffer.getvalue()


def write_masks_zip(path, mask_files, folder, size):
    """A zip of palette PNGs in the DAVIS results layout: ``<folder>/00000.png``, ...

    Args:
        path: the zip to write.
        mask_files: per frame, the clip's palette PNG of its mask, or ``None`` for a frame
            without object.
        folder: the sequence folder inside the zip.
        size: ``(H, W)`` of the frames (of the empty masks).
    """
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as scratch, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as archive:  # PNGs are compressed
        empty = os.path.join(scratch, 'empty.png')
        save_palette_png(empty, np.zeros(size, np.uint8))
        for index, mask_file in enumerate(mask_files):
            archive.write(mask_file or empty, f'{folder}/{index:05d}.png')


def write_overlay_video(path, frames, masks, fps, max_side=None):
    """The masks drawn over the frames as an MP4 (``.mp4``, video extra) or a GIF (``.gif``).

    Args:
        path: output file; its extension picks the format.
        frames: iterable of ``[H, W, 3] uint8``.
        masks: iterable of ``[H, W] uint8``.
        fps: frames per second (a GIF's frame delays are whole hundredths of a second, so a
            GIF plays at ``100 / round(100 / fps)`` frames per second).
        max_side: a GIF's longer side in pixels (frames are scaled down to it); ``None``: the
            frames' own size. An MP4 always has the frames' size.
    """
    overlays = (overlay_mask(frame, mask) for frame, mask in zip(frames, masks))
    if path.endswith('.gif'):
        write_gif(path, overlays, fps=fps, max_size=max_side)
    else:
        write_mp4(path, overlays, fps=fps)
