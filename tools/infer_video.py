"""Segment your own clip: ``python tools/infer_video.py CONFIG CHECKPOINT --frames DIR
--mask FIRST_MASK.png --out DIR``.

    python tools/infer_video.py configs/osmn_vgg16_davis2017.py work_dirs/osmn_vgg16_davis2017 \\
        --frames my_clip/ --mask my_clip_00000.png --out results/my_clip

``--frames`` is a folder of images (sorted by name; the first one is annotated); ``--video`` a
video file (needs the optional extra: ``pip install -e ".[video]"``). The mask is a palette or
8-bit index PNG of the first frame (object ids 1, 2, ...; a 0/255 mask is one object). Frames
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

from osmnseg.cli import add_config_options, add_debug_option, load_config, one_line_errors


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Segment a video given its first-frame mask')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--frames', help='folder of frames (.jpg/.jpeg/.png), sorted by name')
    source.add_argument('--video', help='video file (needs pip install -e ".[video]")')
    parser.add_argument('--mask', required=True, help='index PNG with the objects of frame 1')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--max-size', type=int,
                        help='longest side to segment at (default: from the config test size)')
    parser.add_argument('--fps', type=float, default=10, help='frame rate of the GIF / MP4')
    parser.add_argument('--mp4', action='store_true', help='also write overlay.mp4 (video extra)')
    parser.add_argument('--overwrite', action='store_true', help='replace existing results')
    parser.add_argument('--device', choices=['cpu', 'gpu', 'npu'], help='device to run on')
    parser.add_argument('--dtype', choices=['float32', 'bfloat16', 'float16'],
                        help="compute dtype (default: the device's inference precision)")
    add_config_options(parser)
    add_debug_option(parser)
    return parser.parse_args(argv)


def frame_source(args):
    """``(names, frames)``: frame names and an iterable of paths or ``[H, W, 3]`` arrays."""
    from osmnseg.apis.visualization import read_video_frames
    from osmnseg.datasets.base import FRAME_EXTENSIONS, check_one_size, list_files
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
    that the overlay of each result can be drawn without reading the frame twice; warns when
    the first-frame mask (``[H, W]`` ``mask_size``, file ``mask_path``) has another size than
    the first frame."""

    def __init__(self, frames, mask_size, mask_path):
        self.frames = frames
        self.mask_size, self.mask_path = tuple(mask_size), mask_path
        self.current = None

    def __iter__(self):
        from osmnseg.datasets.pipelines.functional import read_image

        for index, frame in enumerate(self.frames):
            self.current = read_image(frame) if isinstance(frame, str) else frame
            if index == 0 and self.current.shape[:2] != self.mask_size:
                (mask_h, mask_w), (height, width) = self.mask_size, self.current.shape[:2]
                print(f'warning: --mask {self.mask_path} is {mask_w}x{mask_h} but the frames '
                      f'are {width}x{height}; it is resized to the frames (nearest).',
                      file=sys.stderr)
            yield self.current


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

    device = dict(type=args.device.upper()) if args.device else (cfg.get('device') or 'cpu')
    model = init_segmentor(cfg, args.checkpoint, device=device, dtype=args.dtype)
    settings = InferenceSettings.from_config(cfg)
    max_size = args.max_size or (max(settings.size) if settings.size else None)
    settings.size, settings.max_size = None, max_size  # keep each clip's aspect ratio
    return VideoSegmenter(model, settings)


def run(cfg, args):
    """Segment, write masks and overlays; returns ``(frames, seconds)``."""
    from osmnseg.apis.test import check_output_dirs
    from osmnseg.apis.visualization import (require_video_extra, save_overlay, write_gif,
                                            write_mp4)
    from osmnseg.io.palette import save_palette_png

    mask_dir, overlay_dir = os.path.join(args.out, 'masks'), os.path.join(args.out, 'overlays')
    check_output_dirs(args.out, overwrite=args.overwrite)
    if args.video or args.mp4:
        require_video_extra()  # fail before segmenting, not after
    first_mask = read_first_mask(args.mask)
    names, frames = frame_source(args)
    segmenter = build_segmenter(cfg, args)
    tee = FrameTee(frames, first_mask.shape, args.mask)
    overlays, start = [], time.perf_counter()
    for result in segmenter.segment(iter(tee), {0: first_mask}):
        name = names[result.index] if names else f'{result.index:05d}'
        save_palette_png(os.path.join(mask_dir, name + '.png'), result.mask)
        overlays.append(os.path.join(overlay_dir, name + '.png'))
        save_overlay(overlays[-1], tee.current, result.mask)
    seconds = time.perf_counter() - start
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
