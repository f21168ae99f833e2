"""Annotate, propagate, correct and export in a browser: ``tools/webui.py CONFIG CHECKPOINT``.

    python tools/webui.py configs/osmn_mobilenet_v1_toyvos.py work_dirs/osmn_mobilenet_v1_toyvos
    # then open http://127.0.0.1:7860 ; from another machine: ssh -L 7860:127.0.0.1:7860 HOST

The app listens on 127.0.0.1 unless ``--host`` says otherwise; it needs the webui extra
(``pip install -e ".[webui]"``). Controls, limits and security defaults: docs/webui.md.
"""
import argparse
import functools
import os
import sys

from osmnseg.cli import (add_config_options, add_debug_option, add_device_option,
                         add_dtype_option, load_config, one_line_errors)

LOOPBACK_HOSTS = ('127.0.0.1', 'localhost')
TYPICAL_FRAME_SIZE = (480, 854)  # the warm-up frame (readies the kernels of its working size)
WEBUI_EXTRA_HINT = 'pip install -e ".[webui]"'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Interactive video object segmentation in a '
                                                 'browser')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    add_device_option(parser)
    add_dtype_option(parser)
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default 127.0.0.1: this machine only)')
    parser.add_argument('--port', type=int, default=7860, help='port to listen on')
    parser.add_argument('--max-frames', type=int, default=1000, help='longest clip accepted')
    parser.add_argument('--max-upload-mb', type=float, default=200,
                        help='largest upload accepted, in MiB')
    parser.add_argument('--session-timeout', type=float, default=5, metavar='MINUTES',
                        help="minutes without an open page after which a browser session's "
                             'clips are removed')
    parser.add_argument('--max-disk-gb', type=float, default=5,
                        help="disk budget of all clips' files in GB")
    add_config_options(parser)
    add_debug_option(parser)
    args = parser.parse_args(argv)
    if min(args.max_frames, args.max_upload_mb, args.session_timeout, args.max_disk_gb) <= 0:
        parser.error('--max-frames, --max-upload-mb, --session-timeout and --max-disk-gb must '
                     'be positive.')
    return args


def build_app(cfg, args):
    """The web app around a model built from ``cfg`` and the checkpoint."""
    from osmnseg.apis import init_segmentor
    from osmnseg.apis import InferenceSettings
    from osmnseg.apis.inference.core import InferenceCore, warm_up
    from osmnseg.devices import device_config
    from osmnseg.webui.app import create_app
    from osmnseg.webui.catalog import SequenceCatalog
    from osmnseg.utils.errors import DataError
    from osmnseg.webui.sessions import Limits

    model = init_segmentor(cfg, args.checkpoint, device=device_config(cfg, args.device),
                           dtype=args.dtype).prepare_for_inference()  # the weights stay fixed
    limits = Limits(max_frames=args.max_frames, max_upload_mb=args.max_upload_mb,
                    session_timeout_s=args.session_timeout * 60, max_disk_gb=args.max_disk_gb)
    new_core = functools.partial(InferenceCore.from_config, model, cfg)
    # traced now, not during the page's first propagation (seconds on a CPU)
    warm_up(model, InferenceSettings.from_config(cfg), TYPICAL_FRAME_SIZE)
    catalog = SequenceCatalog((cfg.get('data') or {}).get('test'))
    try:
        catalog.names()  # build (or generate) the data set now, not on the page's first request
    except DataError as err:
        print(f'warning: the page offers uploads only: {err}', file=sys.stderr)
    loopback = args.host in LOOPBACK_HOSTS
    return create_app(new_core, catalog, limits, model_name=os.path.basename(args.config),
                      allowed_hosts=LOOPBACK_HOSTS if loopback else None)


def main(argv=None):
    args = parse_args(argv)
    try:
        import cv2  # noqa: F401  (GrabCut: a mask from a box)
        import fastapi  # noqa: F401
        import python_multipart  # noqa: F401  (FastAPI's upload parser)
        import uvicorn
    except ImportError as err:
        sys.exit(f'error: the web app needs the webui extra ({err.name} is missing); install '
                 f'it with {WEBUI_EXTRA_HINT}')
    with one_line_errors(args):
        app = build_app(load_config(args.config, args.cfg_options, args.strict), args)
    host = f'[{args.host}]' if ':' in args.host else args.host
    print(f'osmnseg web app: http://{host}:{args.port}  (Ctrl+C stops it and removes its '
          'temporary files)', flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level='warning')


if __name__ == '__main__':
    main()
