"""Segment a clip of your own and write what was asked for: the loop behind
``tools/infer_video.py``.

Frames come from a folder of images or a video file and are streamed (decoded ahead in a
thread, never all at once); masks are written as palette PNGs at each frame's size behind the
model (another thread); overlays are drawn only when asked for (an MP4 written frame by frame,
a GIF, or one PNG per frame). Memory does not grow with the video, except for a GIF, whose
reduced frames are parked as PNGs in a temporary folder until it is written at the end.
"""
import dataclasses
import os
import tempfile
import time

from osmnseg.apis.inference.pipeline import StageTimes, WriteBehind
from osmnseg.apis.visualization import overlay_mask
from osmnseg.io.folders import list_frame_folder
from osmnseg.io.images import save_image
from osmnseg.io.masks import object_ids_in
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.io.video import (GIF_MAX_SIZE, OVERLAY_FORMATS, Mp4Writer, read_video_frames,
                              require_video_extra, rgb_image, video_info, write_gif)
from osmnseg.utils.errors import ConfigError, DataError

DEFAULT_FPS = 10.0  # a frame folder's rate (a video file's own rate is used otherwise)


@dataclasses.dataclass(frozen=True)
class ClipSource:
    """The frames of a clip: a folder of images, or a video file (streamed).

    Attributes:
        paths: the folder's image paths, sorted (``None`` for a video).
        names: frame names (file names without extension), or ``None`` for a video, whose
            frames are named ``00000``, ``00001``, ...
        video: the video file (``None`` for a folder).
        fps: the video file's frame rate, or ``None`` (a folder).
        size: ``(H, W)`` of a video's frames (``None`` for a folder).
    """

    paths: list = None
    names: list = None
    video: str = None
    fps: float = None
    size: tuple = None

    def name(self, index):
        return self.names[index] if self.names else f'{index:05d}'

    def frames(self, size=None):
        """The frames to segment: the folder's image paths, or the video's ``[H, W, 3]
        uint8`` frames decoded one at a time, scaled by ffmpeg to ``size = (H, W)`` when
        given (a video only)."""
        if self.video is None:
            return self.paths
        return read_video_frames(self.video, size)


@dataclasses.dataclass(frozen=True)
class StartMask:
    """A mask given for a frame where objects start: ``[H, W] uint8`` ids, file, frame."""

    mask: object
    path: str
    index: int


@dataclasses.dataclass
class ClipRun:
    """What :func:`segment_clip` did: frames segmented, wall seconds from the first frame
    read to the last file written, and the per-stage :class:`StageTimes`."""

    frames: int
    seconds: float
    times: StageTimes


def open_clip(frames_dir=None, video=None):
    """A :class:`ClipSource` of a frame folder (``.jpg/.jpeg/.png`` sorted by name, hidden
    files skipped, one size) or of a video file (optional ``video`` extra).

    Raises:
        DataError: the folder or file is missing, the folder holds no frame or frames of
            several sizes.
        ConfigError: a video without the ``video`` extra.
    """
    if video:
        if not os.path.isfile(video):
            raise DataError(f'--video {video} does not exist; check the path.')
        info = video_info(video)
        return ClipSource(video=video, fps=info.fps, size=info.size)
    names, paths = list_frame_folder(frames_dir)
    return ClipSource(paths, names)


def read_start_masks(values, names):
    """``--mask [FRAME=]PNG`` values as ``({frame index: StartMask}, {obj: first index})``.

    ``FRAME`` is a frame name of ``names`` or a 0-based index (default 0); each object starts
    at the first mask that holds its id (a 0/255 mask is object 255 of one mask: one object).

    Raises:
        DataError: a mask without any object, a frame annotated twice or past the last
            frame, an id that an earlier mask already started.
    """
    masks = {}
    for value in values:
        spec, _, path = value.rpartition('=')
        index = _frame_index(spec, names, value) if spec else 0
        if index in masks:
            raise DataError(f'--mask {value} annotates frame {index} again; give one mask per '
                            'frame.')
        if names is not None and index >= len(names):
            raise DataError(f'--mask {value} is for frame {index} but --frames holds '
                            f'{len(names)} frames (0-based indices).')
        mask = load_index_png(path)
        if not mask.any():
            raise DataError(f'--mask {path} holds no object (every pixel is 0); paint the '
                            'objects of the first frame with ids 1, 2, ... (or 255 for one '
                            'object).')
        masks[index] = StartMask(mask, path, index)
    first_frame = {}
    for index in sorted(masks):
        for obj in object_ids_in(masks[index].mask):
            if obj in first_frame:
                raise DataError(f'--mask {masks[index].path} holds object {obj}, which '
                                f'{masks[first_frame[obj]].path} already starts; objects that '
                                'join later need new ids.')
            first_frame[obj] = index
    return masks, first_frame


def _frame_index(spec, names, value):
    if names and spec in names:
        return names.index(spec)
    if spec.isdigit():
        return int(spec)
    raise DataError(f'--mask {value}: {spec!r} is neither a frame name of --frames nor a '
                    'frame index; give e.g. 00030=mask.png or 30=mask.png.')


def segment_clip(segmenter, source, masks, first_frame, out_dir, overlays=(), fps=None,
                 warn=None):
    """Segment ``source`` and write ``out_dir/masks/<frame>.png`` (palette PNGs at the frame's
    size) and the ``overlays`` asked for: ``'mp4'`` (``overlay.mp4``), ``'gif'``
    (``overlay.gif``, frames scaled to 480 px), ``'png'`` (``overlays/<frame>.png``).

    A video whose frames exceed the working size is decoded at the working size by ffmpeg
    (:func:`_decoding_size`) unless overlays need its full-size frames; the masks come back
    at the video's size either way.

    Args:
        segmenter: :class:`~osmnseg.apis.inference.VideoSegmenter`.
        source: :class:`ClipSource`.
        masks, first_frame: from :func:`read_start_masks`.
        out_dir: output folder (checked by the caller).
        overlays: any of :data:`~osmnseg.io.video.OVERLAY_FORMATS`.
        fps: frame rate of the MP4/GIF (default: the video's own, else 10).
        warn: ``text -> None`` for warnings (a mask resized to the frames, a GIF scaled).

    Returns:
        :class:`ClipRun`.

    Raises:
        DataError: a mask is for a frame past the end of the video.
    """
    unknown = sorted(set(overlays) - set(OVERLAY_FORMATS))
    if unknown:
        raise ConfigError(f'overlay format(s) {unknown} are unknown; choose from '
                          f'{", ".join(OVERLAY_FORMATS)}.')
    if 'mp4' in overlays:
        require_video_extra()  # fail before segmenting, not after
    warn = warn or (lambda text: None)
    fps = fps or source.fps or DEFAULT_FPS
    annotations = {index: given.mask for index, given in masks.items()}
    decoding_size = _decoding_size(segmenter.settings, source, overlays)
    frames = source.frames(decoding_size)
    output_size = source.size if decoding_size else None
    start, count = time.perf_counter(), 0
    with tempfile.TemporaryDirectory(prefix='osmnseg_gif_') as gif_dir, \
            _OverlayWriter(out_dir, overlays, fps, gif_dir) as overlay, \
            WriteBehind(times=segmenter.times) as behind:
        for result in segmenter.segment(frames, annotations, sorted(first_frame), first_frame,
                                        output_size=output_size,
                                        return_frames=bool(overlays)):
            name = source.name(result.index)
            if result.index == 0:
                _warn_resized(masks.values(), result.mask.shape, warn)
            behind.submit(save_palette_png, os.path.join(out_dir, 'masks', name + '.png'),
                          result.mask)
            if overlays:
                behind.submit(overlay.add, name, result.frame, result.mask)
            count += 1
        last = max(masks)
        if last >= count:
            raise DataError(f'--mask {masks[last].path} is for frame {last} but the video has '
                            f'{count} frames (0-based indices).')
        behind.flush()
        overlay.finish(warn)
    return ClipRun(count, time.perf_counter() - start, segmenter.times)


def _decoding_size(settings, source, overlays):
    """The ``(H, W)`` a video is best decoded at: its working size when that is smaller and
    no overlay needs full-size frames (ffmpeg then scales while converting to RGB, and the
    loop moves and resizes a ninth of a 1080p frame's pixels); ``None``: as it is."""
    if source.video is None or overlays:
        return None
    size = settings.working_size(source.size)
    return size if size != tuple(source.size) else None


def _warn_resized(masks, frame_size, warn):
    for given in masks:
        if given.mask.shape != tuple(frame_size):
            (mask_h, mask_w), (height, width) = given.mask.shape, frame_size
            warn(f'--mask {given.path} is {mask_w}x{mask_h} but the frames are '
                 f'{width}x{height}; it is resized to the frames (nearest).')


class _OverlayWriter:
    """Draws each frame's overlay into the outputs asked for, one frame at a time."""

    def __init__(self, out_dir, kinds, fps, gif_dir):
        self.out_dir, self.kinds, self.fps, self.gif_dir = out_dir, set(kinds), fps, gif_dir
        self.mp4 = (Mp4Writer(os.path.join(out_dir, 'overlay.mp4'), fps)
                    if 'mp4' in self.kinds else None)
        self.gif_frames = []
        self.gif_scaled = False

    def add(self, name, frame, mask):
        image = overlay_mask(frame, mask)
        if self.mp4 is not None:
            self.mp4.append(image)
        if 'png' in self.kinds:
            save_image(os.path.join(self.out_dir, 'overlays', name + '.png'), image)
        if 'gif' in self.kinds:  # parked scaled down, written at the end
            self.gif_frames.append(os.path.join(self.gif_dir, name + '.png'))
            self.gif_scaled |= max(image.shape[:2]) > GIF_MAX_SIZE
            save_image(self.gif_frames[-1], rgb_image(image, GIF_MAX_SIZE))

    def finish(self, warn):
        if self.gif_frames:
            write_gif(os.path.join(self.out_dir, 'overlay.gif'), self.gif_frames, fps=self.fps)
            if self.gif_scaled:
                warn(f'overlay.gif frames are scaled to {GIF_MAX_SIZE} px on their longer '
                     'side; use --overlay mp4 for full-size overlays.')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.mp4 is not None:
            self.mp4.close()

