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
"""
import argparse
import os
import sys
import time

from osmnseg.config import Config, DictAction
from osmnseg.utils.errors import OsmnsegError


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
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries')
    return parser.parse_args(argv)


def frame_source(args):
    """``(names, frames)``: frame names and an iterable of paths or ``[H, W, 3]`` arrays."""
    from osmnseg.apis.visualization import read_video_frames
    from osmnseg.datasets.base import FRAME_EXTENSIONS
    from osmnseg.utils.errors import DataError

    if args.video:
        if not os.path.isfile(args.video):
            raise DataError(f'--video {args.video} does not exist; check the path.')
        return None, read_video_frames(args.video)
    if not os.path.isdir(args.frames):
        raise DataError(f'--frames {args.frames} is not a folder; give the folder of frames.')
    files = sorted(f for f in os.listdir(args.frames) if f.lower().endswith(FRAME_EXTENSIONS))
    if not files:
        raise DataError(f'--frames {args.frames} holds no .jpg/.jpeg/.png frame.')
    return ([os.path.splitext(f)[0] for f in files],
            [os.path.join(args.frames, f) for f in files])


class FrameTee:
    """Iterates over frames (paths or arrays) and remembers the last one as an RGB array, so
    that the overlay of each result can be drawn without reading the frame twice."""

    def __init__(self, frames):
        self.frames = frames
        self.current = None

    def __iter__(self):
        from osmnseg.datasets.pipelines.functional import read_image

        for frame in self.frames:
            self.current = read_image(frame) if isinstance(frame, str) else frame
            yield self.current


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
    from osmnseg.apis.test import check_output_dir
    from osmnseg.apis.visualization import (require_video_extra, save_overlay, write_gif,
                                            write_mp4)
    from osmnseg.datasets.palette import load_index_png, save_palette_png

    mask_dir, overlay_dir = os.path.join(args.out, 'masks'), os.path.join(args.out, 'overlays')
    check_output_dir(args.out, args.overwrite)
    if args.video or args.mp4:
        require_video_extra()  # fail before segmenting, not after
    first_mask = load_index_png(args.mask)
    names, frames = frame_source(args)
    segmenter = build_segmenter(cfg, args)
    tee = FrameTee(frames)
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
    try:
        cfg = Config.fromfile(args.config)
        cfg.merge_from_dict(args.cfg_options)
        count, seconds = run(cfg, args)
    except OsmnsegError as err:
        sys.exit(f'error: {err}')
    print(f'{count} frames in {seconds:.1f} s ({count / max(seconds, 1e-9):.2f} frames/s); '
          f'results in {args.out}')
    return count


if __name__ == '__main__':
    main()
