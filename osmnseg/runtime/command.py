"""``python -m osmnseg.runtime EXPORT_DIR --frames DIR --mask FIRST.png --out DIR``: segment a
folder of frames with an ONNX or LiteRT export, without TensorFlow.

``--frames``: images sorted by name (``.jpg``/``.jpeg``/``.png``, one size; the first one is
annotated). ``--mask``: a palette or 8-bit index PNG of the first frame (ids 1, 2, ...; a grey
0/255 mask is one object, written as 255), nearest-resized to the frames with a warning when
its size differs. Every frame is resized to the export's working size and its mask back to the
frame's size. Writes ``OUT/<frame name>.png``, palette PNGs of the object ids. Errors a user
can cause end the run with one ``error:`` line (exit status 1).
"""
import argparse
import os
import sys
import time

from osmnseg.io.folders import list_frame_folder
from osmnseg.io.images import read_image
from osmnseg.io.masks import binarize_mask, object_ids_in, resize_mask
from osmnseg.io.palette import load_index_png, save_palette_png
from osmnseg.runtime.backends import BACKENDS
from osmnseg.runtime.core import RuntimeCore
from osmnseg.runtime.model import ExportedModel
from osmnseg.utils.errors import DataError, OsmnsegError, OutputError
from osmnseg.utils.paths import check_writable_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='python -m osmnseg.runtime',
                                     description='Segment a folder of frames with an exported '
                                     'model (ONNX Runtime or LiteRT; no TensorFlow)')
    parser.add_argument('export_dir', help='folder written by tools/export.py --out')
    parser.add_argument('--frames', required=True,
                        help='folder of frames (.jpg/.jpeg/.png), sorted by name')
    parser.add_argument('--mask', required=True, help='index PNG with the first frame\'s objects')
    parser.add_argument('--out', required=True, help='output folder of the mask PNGs')
    parser.add_argument('--backend', choices=sorted(BACKENDS),
                        help='runtime (default: the one of the export format)')
    parser.add_argument('--threads', type=int, help='threads of the runtime (default: all cores)')
    parser.add_argument('--overwrite', action='store_true', help='replace existing mask PNGs')
    return parser.parse_args(argv)


def first_masks(path, frame_size):
    """``{obj: [H, W] uint8 0/1}`` of the index PNG ``path``, at ``frame_size``.

    Raises:
        DataError: the PNG is unreadable or holds no object.
    """
    mask = load_index_png(path)
    if not mask.any():
        raise DataError(f'--mask {path} holds no object (every pixel is 0); paint the objects '
                        'of the first frame with ids 1, 2, ... (or 255 for one object).')
    if mask.shape != tuple(frame_size):
        print(f'warning: --mask {path} is {mask.shape[1]}x{mask.shape[0]} but the frames are '
              f'{frame_size[1]}x{frame_size[0]}; it is resized to the frames (nearest).',
              file=sys.stderr)
        mask = resize_mask(mask, frame_size)
    return {obj: binarize_mask(mask, obj) for obj in object_ids_in(mask)}


def segment_folder(args):
    """Segment and write the masks; returns ``(frames, seconds)``."""
    check_writable_dir(args.out, '--out')
    names, paths = list_frame_folder(args.frames)
    if not args.overwrite and any(os.path.isfile(os.path.join(args.out, name + '.png'))
                                  for name in names):
        raise OutputError(f'--out {args.out} already holds masks of these frames; choose another '
                          'folder or pass --overwrite to replace them.')
    core = RuntimeCore(ExportedModel.load(args.export_dir, args.backend, args.threads))
    start = time.perf_counter()
    for index, (name, path) in enumerate(zip(names, paths)):
        frame = read_image(path)
        masks = first_masks(args.mask, frame.shape[:2]) if index == 0 else None
        save_palette_png(os.path.join(args.out, name + '.png'), core.step(frame, masks))
    return len(paths), time.perf_counter() - start


def main(argv=None):
    args = parse_args(argv)
    try:
        count, seconds = segment_folder(args)
    except (OsmnsegError, OSError) as err:
        sys.exit(f'error: {err}')
    print(f'{count} frames in {seconds:.1f} s ({count / max(seconds, 1e-9):.2f} frames/s); '
          f'masks in {args.out}')
    return count
