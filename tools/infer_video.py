"""Segment your own clip: ``python tools/infer_video.py CONFIG CHECKPOINT --frames DIR
--mask FIRST_MASK.png --out DIR``.

    python tools/infer_video.py configs/osmn_vgg16_davis2017.py work_dirs/osmn_vgg16_davis2017 \\
        --frames my_clip/ --mask my_clip_00000.png --out results/my_clip

``--frames`` is a folder of images (sorted by name; the first one is annotated); ``--video`` a
video file (needs the optional extra: ``pip install -e ".[video]"``). The mask is a palette or
8-bit index PNG of the first frame (object ids 1, 2, ...; a 0/255 mask is one object). An object
that appears later joins with ``--mask FRAME=PNG`` (FRAME: the frame's name in ``--frames``, e.g.
``00030``, or its 0-based index), given besides the first frame's ``--mask``; each object starts
at the first mask that holds its id. Frames
keep their aspect ratio; those whose longer side exceeds ``--max-size`` (default: the longer
side of the config's test size) are segmented at a reduced size and the masks resized back.

Writes ``OUT/masks/<frame>.png`` (palette PNGs at the frames' size), ``OUT/overlays/<frame>.png``,
``OUT/overlay.gif`` and, with ``--mp4``, ``OUT/overlay.mp4``.

Refused with one ``error:`` line: a mask without any object, frames of different sizes, an OUT
that is a file, read-only, or holds results (unless ``--overwrite``). Hidden files (``.DS_Store``,
``._00001.jpg``) in the frame folder are skipped; a mask of another size than the frames is
resized to them (nearest) with a warning.
"""
import argparse
import os
import sys
import time

from osmnseg.cli import (add_config_options, add_debug_option, add_device_option,
                         add_dtype_option, load_config, one_line_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Segment a video given its first-frame mask')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--frames', help='folder of frames (.jpg/.jpeg/.png), sorted by name')
    source.add_argument('--video', help='video file (needs pip install -e ".[video]")')
    parser.add_argument('--mask', required=True, action='append', metavar='[FRAME=]PNG',
                        help='index PNG with the objects of the first frame; repeat as '
                        'FRAME=PNG (frame name or 0-based index) for objects that appear later')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--max-size', type=int,
                        help='longest side to segment at (default: from the config test size)')
    parser.add_argument('--fps', type=float, default=10, help='frame rate of the GIF / MP4')
    parser.add_argument('--mp4', action='store_true', help='also write overlay.mp4 (video extra)')
    parser.add_argument('--overwrite', action='store_true', help='replace existing results')
    add_device_option(parser)
    add_dtype_option(parser)
    add_config_options(parser)
    add_debug_option(parser)
    return parser.parse_args(argv)


def frame_source(args):
    """``(names, frames)``: frame names and an iterable of paths or ``[H, W, 3]`` arrays."""
    from osmnseg.io.folders import FRAME_EXTENSIONS, list_files
    from osmnseg.io.images import check_one_size
    from osmnseg.io.video import read_video_frames
    from osmnseg.utils.errors import DataError

    if args.video:
        if not os.path.isfile(args.video):
            raise DataError(f'--video {args.video} does not exist; check the path.')
        return None, read_video_frames(args.video)
    if not os.path.isdir(args.frames):
        raise DataError(f'--frames {args.frames} is not a folder; give the folder of frames.')
    files = list_files(args.frames, FRAME_EXTENSIONS, '--frames')
    if not files:
        raise DataError(f'--frames {args.frames} holds no .jpg/.jpeg/.png frame.')
    paths = [os.path.join(args.frames, f) for f in files]
    check_one_size(paths, f'--frames {args.frames}')  # a video's frames share one size anyway
    return [os.path.splitext(f)[0] for f in files], paths


class FrameTee:
    """Iterates over frames (paths or arrays) and remembers the last one as an RGB array, so
    that the overlay of each result can be drawn without reading the frame twice; warns when a
    mask (``masks``: ``{frame index: AnnotatedMask}``) has another size than the frames."""

    def __init__(self, frames, masks):
        self.frames = frames
        self.masks = masks
        self.current = None
        self.count = 0

    def __iter__(self):
        from osmnseg.io.images import read_image

        for index, frame in enumerate(self.frames):
            self.current = read_image(frame) if isinstance(frame, str) else frame
            self.count = index + 1
            if index == 0:
                for given in self.masks.values():
                    warn_if_resized(given, self.current.shape[:2])
            yield self.current


class AnnotatedMask:
    """One ``--mask`` value: the ``[H, W] uint8`` index mask, its file and frame index."""

    def __init__(self, mask, path, index):
        self.mask, self.path, self.index = mask, path, index


def warn_if_resized(given, frame_size):
    """Print a warning when ``given.mask`` is not ``frame_size`` (it is resized, nearest)."""
    if given.mask.shape != tuple(frame_size):
        (mask_h, mask_w), (height, width) = given.mask.shape, frame_size
        print(f'warning: --mask {given.path} is {mask_w}x{mask_h} but the frames are '
              f'{width}x{height}; it is resized to the frames (nearest).', file=sys.stderr)


def frame_index(spec, names, value):
    """0-based index of the ``FRAME`` part of ``--mask FRAME=PNG`` (a name or an index)."""
    from osmnseg.utils.errors import DataError

    if names and spec in names:
        return names.index(spec)
    if spec.isdigit():
        return int(spec)
    raise DataError(f'--mask {value}: {spec!r} is neither a frame name of --frames nor a '
                    'frame index; give e.g. 00030=mask.png or 30=mask.png.')


def read_masks(values, names):
    """The ``--mask`` values as ``({frame index: AnnotatedMask}, {obj: first frame index})``.

    Raises:
        DataError: an empty mask, a frame named twice or past the last frame, or an id
            already started earlier.
    """
    from osmnseg.io.masks import object_ids_in
    from osmnseg.utils.errors import DataError

    masks = {}
    for value in values:
        spec, _, path = value.rpartition('=')
        index = frame_index(spec, names, value) if spec else 0
        if index in masks:
            raise DataError(f'--mask {value} annotates frame {index} again; give one mask per '
                            'frame.')
        if names is not None and index >= len(names):
            raise DataError(f'--mask {value} is for frame {index} but --frames holds '
                            f'{len(names)} frames (0-based indices).')
        masks[index] = AnnotatedMask(read_first_mask(path), path, index)
    first_frame = {}
    for index in sorted(masks):
        for obj in object_ids_in(masks[index].mask):
            if obj in first_frame:
                raise DataError(f'--mask {masks[index].path} holds object {obj}, which '
                                f'{masks[first_frame[obj]].path} already starts; objects that '
                                'join later need new ids.')
            first_frame[obj] = index
    return masks, first_frame


def read_first_mask(path):
    """``[H, W] uint8`` index mask of the first frame.

    Raises:
        DataError: the mask holds no object (every pixel is 0).
    """
    from osmnseg.io.palette import load_index_png
    from osmnseg.utils.errors import DataError

    mask = load_index_png(path)
    if not mask.any():
        raise DataError(f'--mask {path} holds no object (every pixel is 0); paint the objects '
                        'of the first frame with ids 1, 2, ... (or 255 for one object).')
    return mask


def build_segmenter(cfg, args):
    from osmnseg.apis import InferenceSettings, VideoSegmenter, init_segmentor
    from osmnseg.devices import device_config

    model = init_segmentor(cfg, args.checkpoint, device=device_config(cfg, args.device),
                           dtype=args.dtype)
    settings = InferenceSettings.from_config(cfg)
    max_size = args.max_size or (max(settings.size) if settings.size else None)
    settings.size, settings.max_size = None, max_size  # keep each clip's aspect ratio
    return VideoSegmenter(model, settings)


def run(cfg, args):
    """Segment, write masks and overlays; returns ``(frames, seconds)``."""
    from osmnseg.apis.test import check_output_dirs
    from osmnseg.apis.visualization import save_overlay
    from osmnseg.io.palette import save_palette_png
    from osmnseg.io.video import require_video_extra, write_gif, write_mp4
    from osmnseg.utils.errors import DataError

    mask_dir, overlay_dir = os.path.join(args.out, 'masks'), os.path.join(args.out, 'overlays')
    check_output_dirs(args.out, overwrite=args.overwrite)
    if args.video or args.mp4:
        require_video_extra()  # fail before segmenting, not after
    names, frames = frame_source(args)
    masks, first_frame = read_masks(args.mask, names)
    last = max(masks)
    segmenter = build_segmenter(cfg, args)
    tee = FrameTee(frames, masks)
    overlays, start = [], time.perf_counter()
    annotations = {index: given.mask for index, given in masks.items()}
    for result in segmenter.segment(iter(tee), annotations, sorted(first_frame), first_frame):
        name = names[result.index] if names else f'{result.index:05d}'
        save_palette_png(os.path.join(mask_dir, name + '.png'), result.mask)
        overlays.append(os.path.join(overlay_dir, name + '.png'))
        save_overlay(overlays[-1], tee.current, result.mask)
    seconds = time.perf_counter() - start
    if last >= tee.count:
        raise DataError(f'--mask {masks[last].path} is for frame {last} but the video has '
                        f'{tee.count} frames (0-based indices).')
    write_gif(os.path.join(args.out, 'overlay.gif'), overlays, fps=args.fps)
    if args.mp4:
        write_mp4(os.path.join(args.out, 'overlay.mp4'), overlays, fps=args.fps)
    return len(overlays), seconds


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        count, seconds = run(load_config(args.config, args.cfg_options, args.strict), args)
    print(f'{count} frames in {seconds:.1f} s ({count / max(seconds, 1e-9):.2f} frames/s); '
          f'results in {args.out}')
    return count


if __name__ == '__main__':
    main()
