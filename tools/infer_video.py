"""Segment your own clip: ``python tools/infer_video.py CONFIG CHECKPOINT --frames DIR
--mask FIRST_MASK.png --out DIR``.

    python tools/infer_video.py configs/osmn_match_mobilenet_v1_davis2016.py \\
        work_dirs/osmn_match_mobilenet_v1_davis2016 --video my_clip.mp4 --mask first.png \\
        --out results/my_clip --overlay mp4

``--frames`` is a folder of images (sorted by name; the first one is annotated); ``--video`` a
video file, streamed (needs the optional extra: ``pip install -e ".[video]"``). The mask is a
palette or 8-bit index PNG of the first frame (object ids 1, 2, ...; a 0/255 mask is one
object). An object that appears later joins with ``--mask FRAME=PNG`` (FRAME: the frame's name
in ``--frames``, e.g. ``00030``, or its 0-based index), given besides the first frame's
``--mask``; each object starts at the first mask that holds its id. Frames keep their aspect
ratio; those whose longer side exceeds ``--max-size`` (default: the longer side of the config's
test size) are segmented at a reduced size and the masks resized back (a video is then decoded
at that size by ffmpeg, unless an overlay needs its full-size frames). The model is traced on
a blank frame before the clip's first frame is read.

Writes ``OUT/masks/<frame>.png`` (palette PNGs at the frames' size) and, only when asked with
``--overlay``, ``OUT/overlay.mp4`` (video extra), ``OUT/overlay.gif`` (frames scaled to 480 px)
and / or ``OUT/overlays/<frame>.png``, at ``--fps`` (default: the video's own rate, 10 for a
folder). The loop is :func:`osmnseg.apis.clip.segment_clip`; refusals are one ``error:`` line
(docs/refusals.md).
"""
import argparse
import sys

from osmnseg.cli import (add_config_options, add_debug_option, add_device_option,
                         add_dtype_option, load_config, one_line_errors)
from osmnseg.io.video import OVERLAY_FORMATS


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
    parser.add_argument('--overlay', action='append', choices=OVERLAY_FORMATS, default=[],
                        help='also write overlays: mp4 (video extra), gif, png (one per frame); '
                        'repeat for several')
    parser.add_argument('--fps', type=float,
                        help='frame rate of the overlay video/GIF (default: the video\'s, 10 '
                        'for a folder)')
    parser.add_argument('--overwrite', action='store_true', help='replace existing results')
    add_device_option(parser)
    add_dtype_option(parser)
    add_config_options(parser)
    add_debug_option(parser)
    return parser.parse_args(argv)


def build_segmenter(cfg, args):
    """The segmenter at the config's settings, frames keeping their aspect ratio."""
    from osmnseg.apis import InferenceSettings, VideoSegmenter, init_segmentor

    model = init_segmentor(cfg, args.checkpoint, device=args.device, dtype=args.dtype)
    settings = InferenceSettings.from_config(cfg)
    max_size = args.max_size or (max(settings.size) if settings.size else None)
    settings.size, settings.max_size = None, max_size  # keep each clip's aspect ratio
    segmenter = VideoSegmenter(model, settings)
    print(f'model traced in {segmenter.warm_up():.1f} s, before the first frame is read')
    return segmenter


def run(cfg, args):
    """Check the inputs and the output folder, then segment; returns a ``ClipRun``."""
    from osmnseg.apis.clip import open_clip, read_start_masks, segment_clip
    from osmnseg.apis.test import check_output_dirs

    check_output_dirs(args.out, overwrite=args.overwrite)
    source = open_clip(args.frames, args.video)
    masks, first_frame = read_start_masks(args.mask, source.names)
    return segment_clip(build_segmenter(cfg, args), source, masks, first_frame, args.out,
                        overlays=args.overlay, fps=args.fps,
                        warn=lambda text: print(f'warning: {text}', file=sys.stderr))


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        clip = run(load_config(args.config, args.cfg_options, args.strict), args)
    frames_per_second = clip.frames / max(clip.seconds, 1e-9)
    print(f'{clip.frames} frames in {clip.seconds:.1f} s ({frames_per_second:.2f} frames/s); '
          f'results in {args.out}')
    print(clip.times.line())
    print(clip.times.model_alone_line(frames_per_second))
    return clip.frames


if __name__ == '__main__':
    main()
