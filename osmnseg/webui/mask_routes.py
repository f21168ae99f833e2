"""The routes that read and edit a frame's mask: strokes, a box and its hints, an uploaded PNG,
undo, redo and forgetting a frame's edits.

Every edit answers ``{"clip": summary, "checksum": Adler-32 of the frame's new mask}`` (a box or
a hint also ``"seconds"``, GrabCut's time); the page compares the checksum with its own copy of
the mask and reloads the mask when they differ.
"""
import gzip
import time

from fastapi import APIRouter, Depends, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from osmnseg.utils.errors import DataError
from osmnseg.webui.clips import KEEP, upload_label
from osmnseg.webui.grabcut import Box, segment_box
from osmnseg.webui.history import BoxSession
from osmnseg.webui.media import decode_index_png
from osmnseg.webui.strokes import Stroke, checked_object, mask_checksum

# the routes whose small JSON bodies --max-upload-mb never limits (upload_limit.py)
EDIT_PATHS = r'^/api/clips/[^/]+/masks/\d+/(strokes|box|hint)$'


class StrokeRequest(BaseModel):
    points: list[list[float]]
    radius: float
    object: int = 1
    erase: bool = False


class BoxRequest(BaseModel):
    box: list[float]
    object: int = 1


class HintRequest(BaseModel):
    points: list[list[float]]
    radius: float
    object: int = 1
    inside: bool = True


def mask_routes(current_session):
    """The router; ``current_session`` is the dependency giving the request's session."""
    router = APIRouter()

    def edited(session, clip_id, index, change, box=KEEP, seconds=None):
        clip = session.clip(clip_id)
        answer = dict(checksum=clip.edit(index, change, box=box))
        answer['clip'] = clip.summary()
        if seconds is not None:
            answer['seconds'] = round(seconds[0], 3)
        return answer

    @router.get('/clips/{clip_id}/masks/{index}')
    def mask(clip_id: str, index: int, session=Depends(current_session)):
        """``H * W`` bytes of object ids (gzip: masks are mostly runs of one value)."""
        clip = session.clip(clip_id)
        clip.check_index(index)
        return Response(gzip.compress(clip.mask(index).tobytes(), compresslevel=1),
                        media_type='application/octet-stream',
                        headers={'Content-Encoding': 'gzip', 'Cache-Control': 'no-store'})

    @router.post('/clips/{clip_id}/masks/{index}/strokes')
    def stroke(clip_id: str, index: int, request: StrokeRequest,
               session=Depends(current_session)):
        stroke = Stroke.checked(request.points, request.radius)
        value = 0 if request.erase else checked_object(request.object)

        def paint(mask):
            mask[stroke.pixels(mask.shape)] = value
            return mask
        return edited(session, clip_id, index, paint)

    @router.post('/clips/{clip_id}/masks/{index}/box')
    def box(clip_id: str, index: int, request: BoxRequest, session=Depends(current_session)):
        clip = session.clip(clip_id)
        clip.check_index(index)
        obj, region = checked_object(request.object), Box.checked(request.box, clip.size)
        frame, seconds = clip.read_frame(index), []

        def cut(mask):
            started = time.perf_counter()
            pixels = segment_box(frame, region, blocked=(mask != 0) & (mask != obj))
            seconds.append(time.perf_counter() - started)
            mask[mask == obj] = 0
            mask[pixels] = obj
            return mask
        return edited(session, clip_id, index, cut, BoxSession(obj, region), seconds)

    @router.post('/clips/{clip_id}/masks/{index}/hint')
    def hint(clip_id: str, index: int, request: HintRequest, session=Depends(current_session)):
        clip = session.clip(clip_id)
        clip.check_index(index)
        obj = checked_object(request.object)
        boxed = _box_of(clip, index, obj).with_hint(Stroke.checked(request.points,
                                                                   request.radius),
                                                    request.inside)
        frame, seconds = clip.read_frame(index), []

        def refine(mask):
            started = time.perf_counter()
            hints = [(stroke.pixels(mask.shape), inside) for stroke, inside in boxed.hints]
            pixels = segment_box(frame, boxed.box, hints, current=mask == obj,
                                 blocked=(mask != 0) & (mask != obj))
            seconds.append(time.perf_counter() - started)
            mask[mask == obj] = 0
            mask[pixels] = obj
            return mask
        return edited(session, clip_id, index, refine, boxed, seconds)

    @router.post('/clips/{clip_id}/masks/{index}/png')
    def upload_mask(clip_id: str, index: int, file: UploadFile,
                    session=Depends(current_session)):
        clip = session.clip(clip_id)
        uploaded = decode_index_png(file.file.read(), upload_label(file.filename), clip.size)
        return edited(session, clip_id, index, lambda _: uploaded, box=None)

    def restored(session, clip_id, index, action):
        clip = session.clip(clip_id)
        getattr(clip, action)(index)
        return dict(checksum=mask_checksum(clip.mask(index)), clip=clip.summary())

    @router.post('/clips/{clip_id}/masks/{index}/undo')
    def undo(clip_id: str, index: int, session=Depends(current_session)):
        return restored(session, clip_id, index, 'undo')

    @router.post('/clips/{clip_id}/masks/{index}/redo')
    def redo(clip_id: str, index: int, session=Depends(current_session)):
        return restored(session, clip_id, index, 'redo')

    @router.delete('/clips/{clip_id}/masks/{index}/edit')
    def forget_edits(clip_id: str, index: int, session=Depends(current_session)):
        return restored(session, clip_id, index, 'forget_edits')

    return router


def _box_of(clip, index, obj):
    """The frame's box session for object ``obj``.

    Raises:
        DataError: the frame has no box, or its box is another object's.
    """
    boxed = clip.box_session(index)
    if boxed is None:
        raise DataError(f'frame {index} has no box to refine; draw a box around the object '
                        'first (the box tool), then add inside / outside strokes.')
    if boxed.object_id != obj:
        raise DataError(f"the box on frame {index} is object {boxed.object_id}'s; pick object "
                        f'{boxed.object_id} to refine it, or draw a box for object {obj}.')
    return boxed
