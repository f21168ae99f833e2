"""Video files: read a video's frames, write frames as an animated GIF (PIL) or an MP4.

Reading videos and writing MP4 need the optional ``video`` extra (imageio with its ffmpeg
plugin); without it those functions raise a ConfigError that says how to install it. GIFs
need only PIL.
"""
import dataclasses
import logging
import os

import numpy as np
from PIL import Image

from osmnseg.utils.errors import ConfigError

VIDEO_EXTRA_HINT = 'pip install -e ".[video]"  (imageio + imageio-ffmpeg)'


def require_video_extra():
    """The imageio module with its ffmpeg plugin (the optional ``video`` extra).

    Raises:
        ConfigError: imageio / imageio-ffmpeg are not installed (the message says how to
            install them).
    """
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401  (the ffmpeg binary imageio needs for MP4)
    except ImportError as err:
        raise ConfigError(f'reading or writing MP4 needs the optional video extra; install it '
                          f'with {VIDEO_EXTRA_HINT} or use frame folders and GIFs.') from err
    return imageio


def read_video_frames(path, size=None):
    """Yield the frames of a video file as ``[H, W, 3] uint8`` RGB (optional ``video`` extra).

    Args:
        path: the video file.
        size: ``(H, W)`` to have ffmpeg scale the frames to while it decodes them (area
            averaging, in ffmpeg's own process: a 1080p frame scaled to 378x672 costs less
            than converting it to RGB at full size); ``None`` keeps the video's size.

    Raises:
        ConfigError: imageio / imageio-ffmpeg are not installed.
    """
    reader_module = require_video_extra()
    options = {} if size is None else dict(size=(int(size[1]), int(size[0])),
                                           output_params=['-sws_flags', 'area'])
    with _ScalingWarningFilter(), reader_module.get_reader(path, **options) as reader:
        for frame in reader:
            yield np.asarray(frame, np.uint8)[..., :3]


class _ScalingWarningFilter(logging.Filter):
    """Drops imageio-ffmpeg's warning that the frames read differ in size from the source
    (asked for on purpose by ``read_video_frames(size=...)``) while the block runs."""

    logger = logging.getLogger('imageio_ffmpeg')

    def filter(self, record):
        return 'different from the source frame size' not in record.getMessage()

    def __enter__(self):
        self.logger.addFilter(self)
        return self

    def __exit__(self, *exc):
        self.logger.removeFilter(self)


GIF_MAX_SIZE = 480  # GIF frames are scaled down to this longer side by default
OVERLAY_FORMATS = ('mp4', 'gif', 'png')  # how overlays of a clip can be written


def rgb_image(frame, max_size=None):
    """An RGB PIL image of ``frame`` (an array or an image path), its longer side scaled down
    (bilinear) to ``max_size`` when it exceeds it (``None``: kept)."""
    image = Image.open(frame) if isinstance(frame, (str, os.PathLike)) else \
        Image.fromarray(np.asarray(frame, np.uint8))
    image = image.convert('RGB')
    if max_size and max(image.size) > max_size:
        ratio = max_size / max(image.size)
        image = image.resize((max(1, round(image.width * ratio)),
                              max(1, round(image.height * ratio))), Image.BILINEAR)
    return image


def write_gif(path, frames, fps=10, max_size=GIF_MAX_SIZE):
    """Write an animated GIF that loops forever.

    Args:
        path: output ``.gif`` (parents created).
        frames: iterable of ``[H, W, 3] uint8`` arrays or image paths, read one at a time.
        fps: frames per second.
        max_size: frames whose longer side exceeds this are scaled down (None: keep).

    Returns:
        ``True`` if the file was written (``False`` for no frames).
    """
    images = (rgb_image(frame, max_size) for frame in frames)
    first = next(images, None)
    if first is None:
        return False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    first.save(path, format='GIF', save_all=True, append_images=images,
               duration=max(1, round(1000 / fps)), loop=0)
    return True


def write_mp4(path, frames, fps=10):
    """Write an H.264 MP4 of ``frames`` (an iterable of ``[H, W, 3] uint8`` arrays or image
    paths) with :class:`Mp4Writer`; returns the number of frames written.

    Raises:
        ConfigError: imageio / imageio-ffmpeg are not installed.
    """
    with Mp4Writer(path, fps) as writer:
        for frame in frames:
            writer.append(frame)
    return writer.count


class Mp4Writer:
    """An H.264 MP4 written one frame at a time with imageio's ffmpeg plugin (the optional
    ``video`` extra): memory does not grow with the video.

    Args:
        path: output ``.mp4`` (parents created).
        fps: frames per second.

    Raises:
        ConfigError: imageio / imageio-ffmpeg are not installed.
    """

    def __init__(self, path, fps=10):
        writer_module = require_video_extra()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.writer = writer_module.get_writer(path, fps=fps, macro_block_size=1)
        self.count = 0

    def append(self, frame):
        """Add ``frame`` (``[H, W, 3] uint8`` or an image path)."""
        self.writer.append_data(np.asarray(rgb_image(frame, None)))
        self.count += 1

    def close(self):
        self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """What a video file declares: ``fps`` (frame rate, or ``None``) and ``size`` (``(H, W)``
    of its frames)."""

    fps: float
    size: tuple


def video_info(path):
    """The :class:`VideoInfo` of a video file, read from its header (optional ``video``
    extra)."""
    reader_module = require_video_extra()
    with reader_module.get_reader(path) as reader:
        meta = reader.get_meta_data()
    width, height = meta['size']
    fps = meta.get('fps')
    return VideoInfo(float(fps) if fps else None, (int(height), int(width)))
