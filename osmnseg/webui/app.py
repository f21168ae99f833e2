"""The web app's routes: a static page and a JSON / bytes API around the clips and the core.

Every route works on the clips of the requesting browser session (``request.state.session``,
set from the cookie). A refused input answers 4xx with ``{"detail": one sentence}``, which the
page shows; the server keeps running.
"""
import contextlib
import os

from fastapi import APIRouter, Depends, FastAPI, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.middleware.trustedhost import TrustedHostMiddleware

from osmnseg.io.palette import DAVIS_PALETTE
from osmnseg.io.video import GIF_MAX_SIZE
from osmnseg.utils.errors import DataError, OsmnsegError
from osmnseg.webui.catalog import SequenceCatalog
from osmnseg.webui.clips import display_name, upload_label
from osmnseg.webui.errors import ClipBusyError, DiskFullError, UnknownClipError
from osmnseg.webui.mask_routes import EDIT_PATHS, mask_routes
from osmnseg.webui.media import (EXPORT_FORMATS, copy_upload, upload_frames, write_masks_zip,
                                 write_overlay_video)
from osmnseg.webui.propagation import Propagator
from osmnseg.webui.sessions import COOKIE_NAME, HEARTBEAT_S, Limits, SessionStore
from osmnseg.webui.upload_limit import UploadLimit

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
ERROR_STATUS = {UnknownClipError: 404, ClipBusyError: 409, DiskFullError: 507}
SECURITY_HEADERS = {
    # the page loads nothing from elsewhere and runs no inline script
    'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; "
                               "frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
}
UPLOAD_SUFFIX = '.mp4'  # picks imageio's ffmpeg plugin; ffmpeg itself probes the content
DEFAULT_EXPORT_FPS = 24.0  # the overlay's rate for frames of a zip or a data set
EXPORT_FPS_CHOICES = (24.0, 30.0)  # offered beside a video's own rate
FRAME_TYPES = {'.jpg': 'image/jpeg', '.png': 'image/png'}


class SequenceRequest(BaseModel):
    name: str


class PropagateRequest(BaseModel):
    start: int
    reencode: bool = False


def current_session(request: Request):
    return request.state.session


def create_app(core_factory, catalog=None, limits=Limits(), model_name='', allowed_hosts=None):
    """The FastAPI app.

    Args:
        core_factory: ``() -> InferenceCore``; called once per clip, on its first propagation.
        catalog: :class:`~osmnseg.webui.catalog.SequenceCatalog` of the config's data set
            (``None``: the page offers uploads only).
        limits: :class:`~osmnseg.webui.sessions.Limits`.
        model_name: shown in the page (the config's name).
        allowed_hosts: ``Host`` header values answered (a DNS-rebinding guard); ``None``: any.

    Returns:
        the app; its temporary folder is removed when it shuts down (lifespan).
    """
    store = SessionStore(limits)

    @contextlib.asynccontextmanager
    async def lifespan(_):
        yield
        store.close()

    app = FastAPI(title='osmnseg', lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.store = store
    _add_middleware(app, store, limits, allowed_hosts)
    _add_error_handlers(app)
    app.mount('/static', StaticFiles(directory=STATIC_DIR), name='static')

    @app.get('/', include_in_schema=False)
    def page():
        return FileResponse(os.path.join(STATIC_DIR, 'index.html'))

    @app.get('/api/info')
    def info():
        return dict(model=model_name, max_frames=limits.max_frames,
                    max_upload_bytes=limits.max_upload_bytes, palette=DAVIS_PALETTE.tolist(),
                    heartbeat_s=HEARTBEAT_S, session_timeout_s=limits.session_timeout_s,
                    export_fps=dict(default=DEFAULT_EXPORT_FPS, choices=EXPORT_FPS_CHOICES),
                    gif_max_side=GIF_MAX_SIZE)

    @app.get('/api/heartbeat')
    def heartbeat(request: Request):
        """The page's "still open" call; ``new_session`` tells a page whose session ended."""
        return dict(new_session=request.state.new_session)

    for router in (_clip_routes(catalog or SequenceCatalog(None), limits, store.budget),
                   mask_routes(current_session), _propagation_routes(Propagator(core_factory)),
                   _export_routes()):
        app.include_router(router, prefix='/api')
    return app


def _clip_routes(catalog, limits, budget):
    """Open, list, look at and close clips."""
    router = APIRouter()

    @router.get('/sequences')
    def sequences():
        return dict(names=catalog.names())

    @router.get('/clips')
    def list_clips(session=Depends(current_session)):
        return [clip.summary() for clip in session.all_clips()]

    @router.post('/clips')
    def upload_clip(file: UploadFile, session=Depends(current_session)):
        path = session.scratch_file(UPLOAD_SUFFIX)
        try:
            source = f'upload:{copy_upload(file.file, path)}'
            opened = session.clip_from(source)
            if opened is None:
                frames, fps = upload_frames(path, upload_label(file.filename))
                opened = session.add_clip(display_name(file.filename), frames, limits, budget,
                                          fps=fps, source=source)
            return opened.summary()
        finally:
            os.remove(path)

    @router.post('/clips/sequence')
    def open_sequence(request: SequenceRequest, session=Depends(current_session)):
        source = f'sequence:{request.name}'
        opened = session.clip_from(source) or session.add_clip(
            display_name(request.name), catalog.frames(request.name), limits, budget,
            source=source, sequence=request.name)
        return opened.summary()

    @router.get('/clips/{clip_id}')
    def clip_summary(clip_id: str, session=Depends(current_session)):
        return session.clip(clip_id).summary()

    @router.delete('/clips/{clip_id}')
    def close_clip(clip_id: str, session=Depends(current_session)):
        session.remove_clip(clip_id)
        return dict(closed=clip_id)

    @router.get('/clips/{clip_id}/frames/{index}')
    def frame(clip_id: str, index: int, session=Depends(current_session)):
        clip = session.clip(clip_id)
        clip.check_index(index)
        path = clip.frame_path(index)
        return FileResponse(path, media_type=FRAME_TYPES[os.path.splitext(path)[1]],
                            headers={'Cache-Control': 'private, max-age=86400'})  # never changes

    return router


def _propagation_routes(propagator):
    """Start a propagation, follow it, cancel it."""
    router = APIRouter()

    @router.post('/clips/{clip_id}/propagation')
    def propagate(clip_id: str, request: PropagateRequest, session=Depends(current_session)):
        return propagator.start(session.clip(clip_id), request.start, request.reencode).status()

    @router.get('/clips/{clip_id}/propagation')
    def propagation(clip_id: str, session=Depends(current_session)):
        return session.clip(clip_id).summary()['propagation']

    @router.post('/clips/{clip_id}/propagation/cancel')
    def cancel(clip_id: str, session=Depends(current_session)):
        clip = session.clip(clip_id)
        if clip.job is not None:
            clip.job.cancel()
        return clip.summary()

    return router


def _export_routes():
    """Downloads: the masks as palette PNGs, the overlay as MP4 or GIF."""
    router = APIRouter()

    @router.get('/clips/{clip_id}/export/masks.zip')
    def export_masks(clip_id: str, session=Depends(current_session)):
        clip = _idle_clip(session, clip_id)
        mask_files = [clip.mask_path(index) for index in range(len(clip))]
        return _export(session, '.zip', f'{clip.name}_masks.zip',
                       lambda path: write_masks_zip(path, mask_files, clip.name, clip.size))

    @router.get('/clips/{clip_id}/export/overlay.{kind}')
    def export_overlay(clip_id: str, kind: str, fps: float = Query(None, gt=0, le=240),
                       max_side: int = Query(GIF_MAX_SIZE, ge=0, le=16384),
                       session=Depends(current_session)):
        """``fps``: default the video's own rate, else :data:`DEFAULT_EXPORT_FPS`;
        ``max_side``: a GIF's longer side (0: the frames' size)."""
        clip = _idle_clip(session, clip_id)
        if kind not in EXPORT_FORMATS:
            raise DataError(f'there is no overlay export .{kind}; choose one of '
                            f'{", ".join(EXPORT_FORMATS)}.')
        frames = (clip.read_frame(index) for index in range(len(clip)))
        masks = (clip.mask(index) for index in range(len(clip)))
        return _export(session, f'.{kind}', f'{clip.name}_overlay.{kind}',
                       lambda path: write_overlay_video(path, frames, masks,
                                                        fps or clip.fps or DEFAULT_EXPORT_FPS,
                                                        max_side or None))

    return router


def _add_middleware(app, store, limits, allowed_hosts):
    @app.middleware('http')
    async def attach_session(request, call_next):
        token, session, is_new = store.checkout(request.cookies.get(COOKIE_NAME))
        request.state.session = session
        request.state.new_session = is_new
        response = await call_next(request)
        if is_new:
            response.set_cookie(COOKIE_NAME, token, httponly=True, samesite='strict')
        response.headers.update(SECURITY_HEADERS)
        return response

    app.add_middleware(UploadLimit, max_bytes=limits.max_upload_bytes,  # before a body is read
                       edit_paths=EDIT_PATHS)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))


def _add_error_handlers(app):
    @app.exception_handler(OsmnsegError)
    async def refused(_, err):
        return JSONResponse({'detail': str(err)}, status_code=ERROR_STATUS.get(type(err), 400))

    @app.exception_handler(RequestValidationError)
    async def malformed(_, err):
        problems = '; '.join(f"{'.'.join(map(str, e['loc'][1:])) or 'request'}: {e['msg']}"
                             for e in err.errors())
        return JSONResponse({'detail': f'malformed request ({problems}).'}, status_code=422)


def _idle_clip(session, clip_id):
    clip = session.clip(clip_id)
    if clip.busy:
        raise ClipBusyError('the clip is being propagated; export it when propagation has '
                            'finished or been cancelled.')
    return clip


def _export(session, suffix, filename, write):
    """A download of the file ``write(path)`` makes in the session's folder; the file is
    removed once sent."""
    path = session.scratch_file(suffix)
    try:
        write(path)
    except BaseException:
        os.remove(path)
        raise
    return FileResponse(path, filename=filename, background=BackgroundTask(os.remove, path))
