"""Inputs of the web app tests: a fake inference core and uploads built in memory."""
import io
import threading
import zipfile

import numpy as np
from PIL import Image

from osmnseg.apis.inference.core import StepOutput
from osmnseg.apis.inference.merge import FrameScores
from osmnseg.io.palette import DAVIS_PALETTE

SIZE = (24, 32)  # (H, W) of the synthetic clips


class FakeCore:
    """``InferenceCore``'s interface without a model: a predicted frame gets each object's last
    mask unchanged (so every expected mask is known), and every call is recorded.

    Args:
        gate: a ``threading.Semaphore``; when given, each step first releases ``entered`` and
            then takes one permit of ``gate``, so a test knows where the job is and decides
            when each step happens.
    """

    def __init__(self, gate=None):
        self.gate = gate
        self.entered = threading.Semaphore(0)
        self.masks = {}
        self.steps = []  # (frame's first pixel, sorted mask ids or None, reencode)
        self.resets = 0

    @property
    def object_ids(self):
        return sorted(self.masks)

    def reset(self):
        self.masks = {}
        self.resets += 1

    def remove_object(self, obj_id):
        del self.masks[obj_id]

    def step(self, frame, masks=None, reencode=False):
        if self.gate is not None:
            self.entered.release()
            self.gate.acquire()
        self.steps.append((int(frame[0, 0, 0]), sorted(masks) if masks else None, reencode))
        for obj, mask in (masks or {}).items():
            self.masks[obj] = np.asarray(mask, np.uint8)
        scores = {obj: mask.astype(np.float32) for obj, mask in self.masks.items()}
        return StepOutput(FrameScores(scores, {}, True), frame.shape[:2])


class CoreFactory:
    """``() -> FakeCore`` that remembers the cores it made; ``gate`` is passed to each."""

    def __init__(self, gate=None):
        self.gate = gate
        self.cores = []

    def __call__(self):
        self.cores.append(FakeCore(self.gate))
        return self.cores[-1]


def blocked_factory():
    """A :class:`CoreFactory` whose cores wait for ``factory.gate.release()`` before each step."""
    return CoreFactory(threading.Semaphore(0))


def frames(count, size=SIZE):
    """``count`` frames whose first pixel's red value is the frame index (the fake core
    records it)."""
    rng = np.random.default_rng(count)
    clip = rng.integers(0, 256, (count, *size, 3), dtype=np.uint8)
    clip[:, 0, 0, 0] = np.arange(count)
    return clip


def png_bytes(array, mode=None, palette=False):
    image = Image.fromarray(np.asarray(array, np.uint8), mode=mode)
    if palette:
        image.putpalette(DAVIS_PALETTE.tobytes())
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return buffer.getvalue()


def zip_bytes(members):
    """A zip of ``{name: bytes}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def frames_zip(clip, pattern='frame{}.png'):
    """A zip of the frames as PNGs named by ``pattern`` (lossless, so frames read back exact)."""
    return zip_bytes({pattern.format(i): png_bytes(frame) for i, frame in enumerate(clip)})


def box_mask(value, box=(4, 6, 14, 20), size=SIZE):
    """``[H, W] uint8`` with ``value`` inside ``box = (y0, x0, y1, x1)``."""
    mask = np.zeros(size, np.uint8)
    y0, x0, y1, x1 = box
    mask[y0:y1, x0:x1] = value
    return mask
