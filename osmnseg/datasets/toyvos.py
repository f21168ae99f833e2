"""ToyVOS: a deterministic synthetic video object segmentation set, written like DAVIS 2017.

Every code path of osmnseg can run on it without downloading anything. A scene is a textured,
slowly panning background with 1..``max_objects`` annotated objects and a few un-annotated
distractors. Each object has a procedural shape (ellipse, rounded rectangle, star, blob) and a
procedural texture (stripes, checkers, dots, gradient, noise) in its own colours; it moves
smoothly, grows and shrinks, and rotates. Objects occlude each other in a fixed depth order (an
annotation holds only the visible part), some leave the frame and come back, and each
distractor copies the shape of a target in a different texture and colour, so that only the
appearance tells them apart.

Layout written into ``out_dir`` (the official DAVIS 2017 layout plus a COCO-style JSON):

    JPEGImages/480p/<seq>/00000.jpg ...      frames, RGB JPEG
    Annotations/480p/<seq>/00000.png ...     palette PNGs, object ids 1..n, 0 = background
    ImageSets/2017/{train,val}.txt           sequence names
    ImageSets/2016/{train,val}.txt           the same names (2016 ground truth = union of ids)
    annotations/instances_{train,val}.json   COCO instances over every ``coco_frame_step``-th
                                             frame; ``file_name`` is relative to JPEGImages/480p
    manifest.json                            params, generator version, file count, content hash

Sequence ``toy_<split>_<i>`` depends only on ``(seed, split, i)``, so adding sequences keeps the
existing ones unchanged.
"""
import colorsys
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile

import numpy as np
from PIL import Image

from osmnseg.datasets.palette import load_index_png, save_palette_png
from osmnseg.evaluation.metrics import db_eval_boundary, db_eval_iou
from osmnseg.utils.errors import ConfigError, DataError

GENERATOR_NAME = 'osmnseg.ToyVOS'
GENERATOR_VERSION = '1'
SPLITS = ('train', 'val')
SHAPES = ('ellipse', 'rounded_rect', 'star', 'blob')
TEXTURES = ('stripes', 'checkers', 'dots', 'gradient', 'noise')
IMAGE_ROOT = 'JPEGImages/480p'
ANNOTATION_ROOT = 'Annotations/480p'
MANIFEST = 'manifest.json'
TEXTURE_SIZE = 192
MAX_LAYOUT_TRIES = 200


@dataclasses.dataclass(frozen=True)
class ToyVOSParams:
    """Everything that determines a ToyVOS set; lengths are fractions of ``min(height, width)``.

    Attributes:
        seed: master seed; sequence ``i`` of a split is drawn from ``(seed, split, i)``.
        num_train, num_val: number of sequences per split.
        height, width: frame size in pixels.
        min_frames, max_frames: inclusive range of sequence lengths (at least 3 frames).
        max_objects: annotated objects per sequence are drawn from 1..max_objects.
        num_distractors: inclusive (low, high) range of un-annotated look-alikes per sequence.
        object_radius: (low, high) radius of an object at frame 0.
        speed: (low, high) mean speed of an object per frame.
        background_speed: (low, high) panning speed of the background per frame.
        exit_probability: chance that a target leaves the frame and comes back.
        min_first_area: minimum visible area of every target at frame 0, fraction of the image.
        coco_frame_step: every n-th frame of a sequence becomes a COCO image.
        jpeg_quality: quality of the JPEG frames.
    """
    seed: int = 0
    num_train: int = 30
    num_val: int = 10
    height: int = 240
    width: int = 432
    min_frames: int = 24
    max_frames: int = 40
    max_objects: int = 3
    num_distractors: tuple = (1, 2)
    object_radius: tuple = (0.15, 0.25)
    speed: tuple = (0.004, 0.010)
    background_speed: tuple = (0.001, 0.004)
    exit_probability: float = 0.35
    min_first_area: float = 0.005
    coco_frame_step: int = 5
    jpeg_quality: int = 90

    def __post_init__(self):
        for name in ('num_distractors', 'object_radius', 'speed', 'background_speed'):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        checks = [
            ('num_train', self.num_train >= 0), ('num_val', self.num_val >= 0),
            ('num_train', self.num_train + self.num_val > 0),
            ('height', self.height >= 16), ('width', self.width >= 16),
            ('min_frames', 3 <= self.min_frames <= self.max_frames),
            ('max_objects', 1 <= self.max_objects <= 10),
            ('num_distractors', 0 <= self.num_distractors[0] <= self.num_distractors[1]),
            ('object_radius', 0 < self.object_radius[0] <= self.object_radius[1] <= 0.45),
            ('speed', 0 <= self.speed[0] <= self.speed[1]),
            ('background_speed', 0 <= self.background_speed[0] <= self.background_speed[1]),
            ('exit_probability', 0 <= self.exit_probability <= 1),
            ('min_first_area', 0 <= self.min_first_area < 0.1),
            ('coco_frame_step', self.coco_frame_step >= 1),
            ('jpeg_quality', 1 <= self.jpeg_quality <= 100),
        ]
        for name, ok in checks:
            if not ok:
                raise ConfigError(f'ToyVOSParams.{name}={getattr(self, name)!r} is out of range; '
                                  'see the ToyVOSParams docstring for valid values.')

    @classmethod
    def from_dict(cls, values):
        """Build params from a (config) dict; unknown keys raise ConfigError."""
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f'unknown ToyVOS parameter(s) {unknown}; valid ones are '
                              f'{[f.name for f in dataclasses.fields(cls)]}.')
        return cls(**values)

    def to_dict(self):
        """JSON-compatible dict (tuples become lists), as stored in the manifest."""
        return json.loads(json.dumps(dataclasses.asdict(self)))


@dataclasses.dataclass
class ToyObject:
    """One object of a scene and its whole trajectory.

    Attributes:
        object_id: palette id written into the annotations; 0 for a distractor.
        shape: dict with ``kind`` (one of SHAPES) and its shape parameters.
        texture_kind: one of TEXTURES.
        texture: ``[TEXTURE_SIZE, TEXTURE_SIZE, 3] float32`` RGB in 0..255 over the canonical
            square [-1, 1]^2 of the object.
        radius: radius in pixels at scale 1.
        positions: ``[T, 2] float64`` centre (x, y) in pixels per frame.
        scales: ``[T] float64`` scale factor per frame.
        angles: ``[T] float64`` rotation in radians per frame.
    """
    object_id: int
    shape: dict
    texture_kind: str
    texture: np.ndarray
    radius: float
    positions: np.ndarray
    scales: np.ndarray
    angles: np.ndarray


@dataclasses.dataclass
class ToyScene:
    """A sequence before rendering: background canvas, pan path and objects in depth order.

    Attributes:
        background: ``[Hb, Wb, 3] float32`` canvas larger than the frame (by at least 1 pixel
            more than the pan travels).
        pan: ``[T, 2] float64`` top-left (x, y) of the frame inside the canvas per frame.
        gains: ``[T] float64`` global illumination factor per frame.
        objects: back to front.
    """
    background: np.ndarray
    pan: np.ndarray
    gains: np.ndarray
    objects: list

    @property
    def num_frames(self):
        return len(self.pan)

    @property
    def num_targets(self):
        return sum(obj.object_id > 0 for obj in self.objects)


# --------------------------------------------------------------------------- shapes
def _random_shape(rng):
    """Draw a shape kind with its parameters; the shape fits in the unit disc."""
    kind = SHAPES[rng.integers(len(SHAPES))]
    if kind in ('ellipse', 'rounded_rect'):
        aspect = rng.uniform(0.45, 0.85)
        shape = dict(kind=kind, a=1.0, b=aspect)
        if kind == 'rounded_rect':  # half-sides scaled into the unit disc
            norm = np.hypot(1.0, aspect)
            shape.update(a=1.0 / norm, b=aspect / norm, r=rng.uniform(0.08, 0.25) * aspect / norm)
        return shape
    if kind == 'star':
        return dict(kind=kind, points=int(rng.integers(4, 8)), inner=rng.uniform(0.45, 0.7),
                    phase=rng.uniform(0, 2 * np.pi))
    harmonics = np.arange(2, 6)
    return dict(kind=kind, harmonics=harmonics.tolist(),
                amplitudes=(rng.uniform(0.06, 0.2, len(harmonics)) / harmonics ** 0.5).tolist(),
                phases=rng.uniform(0, 2 * np.pi, len(harmonics)).tolist())


def _radial_profile(shape, theta):
    """Boundary radius r(theta) of a star or blob, at most 1."""
    if shape['kind'] == 'star':
        wave = (0.5 + 0.5 * np.cos(shape['points'] * theta + shape['phase'])) ** 1.5
        return shape['inner'] + (1.0 - shape['inner']) * wave
    radius = np.ones_like(theta)
    for k, amp, phase in zip(shape['harmonics'], shape['amplitudes'], shape['phases']):
        radius += amp * np.cos(k * theta + phase)
    return radius / (1.0 + sum(shape['amplitudes']))


def shape_distance(shape, u, v):
    """Approximate signed distance to the shape boundary in canonical units (> 0 inside).

    Args:
        shape: a dict from ``_random_shape``.
        u, v: ``[...] float`` canonical coordinates (the shape fits in the unit disc).
    """
    kind = shape['kind']
    if kind == 'ellipse':
        return (1.0 - np.hypot(u / shape['a'], v / shape['b'])) * min(shape['a'], shape['b'])
    if kind == 'rounded_rect':
        r = shape['r']
        qx, qy = np.abs(u) - shape['a'] + r, np.abs(v) - shape['b'] + r
        outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
        return r - outside - np.minimum(np.maximum(qx, qy), 0)
    return _radial_profile(shape, np.arctan2(v, u)) - np.hypot(u, v)


# --------------------------------------------------------------------------- appearance
def _hsv(hue, sat, val):
    return np.array(colorsys.hsv_to_rgb(hue % 1.0, sat, val), np.float32) * 255.0


def _distant_hue(rng, used, candidates=24):
    """A hue far (on the colour circle) from every hue in ``used``."""
    hues = rng.random(candidates)
    if not used:
        return float(hues[0])
    gaps = np.abs(hues[:, None] - np.array(used)[None, :])
    gaps = np.minimum(gaps, 1.0 - gaps).min(axis=1)
    return float(hues[np.argmax(gaps)])


def _value_noise(rng, height, width, cells, octaves=4):
    """Smooth multi-octave noise in [0, 1]: ``[height, width] float32``."""
    total = np.zeros((height, width), np.float32)
    amplitude = 1.0
    for octave in range(octaves):
        grid_h = max(2, int(round(cells * 2 ** octave * height / max(height, width))) + 1)
        grid_w = max(2, int(round(cells * 2 ** octave * width / max(height, width))) + 1)
        grid = rng.random((grid_h, grid_w)).astype(np.float32)
        total += amplitude * np.asarray(
            Image.fromarray(grid).resize((width, height), Image.BICUBIC), np.float32)
        amplitude *= 0.5
    total -= total.min()
    return total / max(float(total.max()), 1e-6)


def _canonical_grid(size):
    """Coordinates ``(u, v)``, each ``[size, size] float64``, spanning the square [-1, 1]^2."""
    return np.meshgrid(np.linspace(-1, 1, size), np.linspace(-1, 1, size))


def _texture_weight(rng, kind, size):
    """Pattern ``[size, size] float32`` in [0, 1] over the canonical square [-1, 1]^2."""
    u, v = _canonical_grid(size)
    angle = rng.uniform(0, np.pi)
    ru, rv = u * np.cos(angle) + v * np.sin(angle), -u * np.sin(angle) + v * np.cos(angle)
    if kind == 'stripes':
        freq = rng.uniform(2.0, 4.5)
        weight = np.clip(2.5 * np.sin(np.pi * freq * ru), -1, 1) * 0.5 + 0.5
    elif kind == 'checkers':
        freq = rng.uniform(1.5, 3.0)
        weight = (np.floor(freq * (ru + 2)) + np.floor(freq * (rv + 2))) % 2
    elif kind == 'dots':
        freq, dot = rng.uniform(2.0, 3.5), rng.uniform(0.22, 0.36)
        cell_u, cell_v = (freq * ru) % 1.0 - 0.5, (freq * rv) % 1.0 - 0.5
        weight = (np.hypot(cell_u, cell_v) < dot).astype(np.float64)
    elif kind == 'gradient':
        weight = np.clip(0.5 + 0.5 * ru + 0.25 * np.sin(2.5 * rv), 0, 1)
    else:
        weight = np.clip((_value_noise(rng, size, size, 3, octaves=3) - 0.5) * 3 + 0.5, 0, 1)
    return weight.astype(np.float32)


def make_texture(rng, kind, hue, size=TEXTURE_SIZE):
    """Object texture ``[size, size, 3] float32`` in 0..255: pattern ``kind`` in colours of ``hue``.

    The two colours share the hue family (a shifted hue or a darker shade) and a soft radial
    shading makes the object look round.
    """
    first = _hsv(hue, rng.uniform(0.6, 0.95), rng.uniform(0.75, 1.0))
    if rng.random() < 0.5:
        second = _hsv(hue + rng.uniform(0.06, 0.14), rng.uniform(0.5, 0.9), rng.uniform(0.3, 0.55))
    else:
        second = first * rng.uniform(0.3, 0.5)
    weight = _texture_weight(rng, kind, size)[..., None]
    u, v = _canonical_grid(size)
    shading = (1.0 - 0.2 * (u ** 2 + v ** 2))[..., None]
    return ((first * (1 - weight) + second * weight) * shading).astype(np.float32)


def make_background(rng, height, width, hue):
    """Low-saturation textured canvas ``[height, width, 3] float32`` in 0..255."""
    noise = _value_noise(rng, height, width, cells=rng.uniform(4, 8))[..., None]
    dark = _hsv(hue, rng.uniform(0.1, 0.3), rng.uniform(0.25, 0.4))
    light = _hsv(hue + rng.uniform(-0.08, 0.08), rng.uniform(0.1, 0.3), rng.uniform(0.6, 0.8))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    period, angle = rng.uniform(12, 30), rng.uniform(0, np.pi)
    lines = np.sin(2 * np.pi * (xs * np.cos(angle) + ys * np.sin(angle)) / period)[..., None]
    return ((dark + (light - dark) * noise) * (1.0 + 0.06 * lines)).astype(np.float32)


# --------------------------------------------------------------------------- motion
def _smooth_series(rng, num_frames, amplitude, cycles=(0.3, 1.2)):
    """Sum of two random sinusoids, ``[T] float64``, zero at frame 0."""
    t = np.arange(num_frames, dtype=np.float64)
    series = np.zeros(num_frames)
    for _ in range(2):
        omega = 2 * np.pi * rng.uniform(*cycles) / num_frames
        phase = rng.uniform(0, 2 * np.pi)
        series += amplitude * 0.5 * (np.sin(omega * t + phase) - np.sin(phase))
    return series


def _heading_to(source, target):
    return float(np.arctan2(target[1] - source[1], target[0] - source[0]))


def _turn_towards(heading, target, max_turn):
    delta = (target - heading + np.pi) % (2 * np.pi) - np.pi
    return heading + np.clip(delta, -max_turn, max_turn)


def make_trajectory(rng, start, extents, speed, frame_size, exits):
    """Smooth wandering path of an object centre, ``[T, 2] float64`` (x, y) in pixels.

    The heading wanders smoothly and a look-ahead steers the object back before it leaves the
    frame. An object that ``exits`` instead speeds up towards the nearest border (fast enough to
    be out of sight after about 40% of the sequence), stays unseen for a few frames, turns while
    unseen and re-enters towards the centre.

    Args:
        start: (x, y) centre at frame 0.
        extents: ``[T]`` object radius in pixels per frame (it grows and shrinks).
        speed: mean speed in pixels per frame.
        frame_size: (H, W).
        exits: whether the object leaves the frame once.
    """
    num_frames = len(extents)
    height, width = frame_size
    centre = np.array([width / 2.0, height / 2.0])
    position = np.asarray(start, np.float64).copy()
    distances = [position[0], width - position[0], position[1], height - position[1]]
    exit_target = position + 3 * width * np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])[
        int(np.argmin(distances))]
    heading = (_heading_to(position, exit_target) + rng.uniform(-0.5, 0.5) if exits
               else rng.uniform(0, 2 * np.pi))
    wander = _smooth_series(rng, num_frames, rng.uniform(0.5, 1.5), cycles=(0.5, 2.0))
    speeds = speed * (1.0 + 0.35 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) *
                                          np.arange(num_frames) / num_frames + rng.uniform(0, 6)))
    exit_start = int(rng.integers(1, max(2, num_frames // 5))) if exits else num_frames
    exit_speed = max(speed, (min(distances) + 1.05 * max(extents)) / (0.4 * num_frames))
    hidden_frames, hidden_needed = 0, int(rng.integers(2, 5))
    current_speed = speeds[0]
    positions = np.empty((num_frames, 2))
    for t in range(num_frames):
        positions[t] = position
        extent = extents[t]
        outside = not (-extent < position[0] < width + extent and
                       -extent < position[1] < height + extent)
        leaving = exit_start <= t and hidden_frames < hidden_needed
        if leaving:
            hidden_frames += outside
            heading = _turn_towards(heading, _heading_to(position, exit_target), 0.25)
            if hidden_frames == hidden_needed:  # unseen, so it may turn at once
                heading = _heading_to(position, centre) + rng.uniform(-0.4, 0.4)
        else:
            heading += wander[t] - wander[t - 1] if t else 0.0
            ahead = position + 10 * speeds[t] * np.array([np.cos(heading), np.sin(heading)])
            margin = 0.8 * extent
            if not (margin < ahead[0] < width - margin and margin < ahead[1] < height - margin):
                heading = _turn_towards(heading, _heading_to(position, centre), 0.2)
        target_speed = exit_speed if leaving or outside else speeds[t]
        current_speed += (target_speed - current_speed) * 0.5  # no sudden jumps in speed
        position = position + current_speed * np.array([np.cos(heading), np.sin(heading)])
    return positions


def _make_object(rng, object_id, shape, kind, hue, params, num_frames, exits=False):
    """One object with a random start, scale path, rotation path and trajectory."""
    unit = min(params.height, params.width)
    radius = rng.uniform(*params.object_radius) * unit
    start = [rng.uniform(radius, max(radius + 1, params.width - radius)),
             rng.uniform(radius, max(radius + 1, params.height - radius))]
    if exits:  # start close to a border so the exit happens early in the sequence
        side = int(rng.integers(4))
        offset = rng.uniform(0.7, 1.0) * radius
        start[side // 2] = offset if side % 2 == 0 else (params.width, params.height)[
            side // 2] - offset
    scales = np.exp(_smooth_series(rng, num_frames, rng.uniform(0.15, 0.4)))
    speed = rng.uniform(*params.speed) * unit
    t = np.arange(num_frames)
    angles = rng.uniform(0, 2 * np.pi) + rng.choice([-1, 1]) * rng.uniform(0.01, 0.05) * t
    return ToyObject(
        object_id=object_id, shape=shape, texture_kind=kind, texture=make_texture(rng, kind, hue),
        radius=radius, scales=scales, angles=angles + _smooth_series(rng, num_frames, 0.3),
        positions=make_trajectory(rng, start, radius * scales, speed,
                                  (params.height, params.width), exits))


def make_scene(rng, params):
    """Draw one sequence: background, pan path, targets and distractors in a random depth order."""
    num_frames = int(rng.integers(params.min_frames, params.max_frames + 1))
    num_targets = int(rng.integers(1, params.max_objects + 1))
    num_distractors = int(rng.integers(params.num_distractors[0], params.num_distractors[1] + 1))
    hues = [rng.random()]  # the background hue comes first
    objects = []
    kinds = [TEXTURES[i] for i in rng.permutation(len(TEXTURES))]
    for index in range(num_targets):
        hues.append(_distant_hue(rng, hues))
        exits = rng.random() < params.exit_probability
        objects.append(_make_object(rng, index + 1, _random_shape(rng), kinds[index % len(kinds)],
                                    hues[-1], params, num_frames, exits))
    for _ in range(num_distractors):
        model = objects[rng.integers(num_targets)]  # same shape, another look
        hues.append(_distant_hue(rng, hues))
        others = [kind for kind in TEXTURES if kind != model.texture_kind]
        kind = others[rng.integers(len(others))]
        objects.append(_make_object(rng, 0, dict(model.shape), kind, hues[-1], params, num_frames))
    objects = [objects[i] for i in rng.permutation(len(objects))]
    pan, pad = _pan_path(rng, params, num_frames)
    background = make_background(rng, params.height + pad, params.width + pad, hues[0])
    gains = 1.0 + _smooth_series(rng, num_frames, 0.12)
    return ToyScene(background=background, pan=pan, gains=gains, objects=objects)


def _pan_path(rng, params, num_frames):
    """Straight slow pan: ``([T, 2] top-left (x, y) in the canvas, canvas padding in pixels)``."""
    speed = rng.uniform(*params.background_speed) * min(params.height, params.width)
    direction = rng.uniform(0, 2 * np.pi)
    step = speed * np.array([np.cos(direction), np.sin(direction)])
    pad = int(np.ceil(speed * (num_frames - 1))) + 2  # +1 for the bilinear neighbour
    start = np.where(step < 0, pad - 1, 0)
    return start + np.arange(num_frames)[:, None] * step, pad


# --------------------------------------------------------------------------- rendering
def _paint_object(obj, t, frame, labels):
    """Draw ``obj`` at frame ``t`` over ``frame`` and ``labels`` (in place).

    Args:
        frame: ``[H, W, 3] float32`` image painted so far.
        labels: ``[H, W] uint8`` ids painted so far; covered pixels get ``obj.object_id``.
    """
    height, width = labels.shape
    size = float(obj.radius * obj.scales[t])
    cx, cy = (float(c) for c in obj.positions[t])
    x0, x1 = max(0, int(cx - size) - 1), min(width, int(cx + size) + 2)
    y0, y1 = max(0, int(cy - size) - 1), min(height, int(cy + size) + 2)
    if x0 >= x1 or y0 >= y1:
        return
    dx = np.arange(x0, x1, dtype=np.float32) + (0.5 - cx)
    dy = (np.arange(y0, y1, dtype=np.float32) + (0.5 - cy))[:, None]
    cos, sin = float(np.cos(obj.angles[t])) / size, float(np.sin(obj.angles[t])) / size
    u, v = cos * dx + sin * dy, cos * dy - sin * dx  # [h, w] canonical coordinates
    alpha = np.clip(shape_distance(obj.shape, u, v) * size + 0.5, 0.0, 1.0)[..., None]
    half = 0.5 * obj.texture.shape[0]
    last = obj.texture.shape[0] - 1
    iu = np.clip(((u + 1) * half).astype(np.intp), 0, last)
    iv = np.clip(((v + 1) * half).astype(np.intp), 0, last)
    region = frame[y0:y1, x0:x1]
    region += (obj.texture[iv, iu] - region) * alpha
    labels[y0:y1, x0:x1][alpha[..., 0] >= 0.5] = obj.object_id


def render_frame(scene, t, frame_size):
    """Render frame ``t`` of a scene.

    Returns:
        ``(image [H, W, 3] uint8 RGB, labels [H, W] uint8 object ids)``; a distractor or a
        target in front hides what lies behind it, in the image and in the labels alike.
    """
    height, width = frame_size
    x, y = (float(c) for c in scene.pan[t])
    fx, fy = x - int(x), y - int(y)
    canvas = scene.background[int(y):int(y) + height + 1, int(x):int(x) + width + 1]
    rows = canvas[:, :-1] + fx * (canvas[:, 1:] - canvas[:, :-1])  # bilinear sub-pixel pan
    frame = rows[:-1] + fy * (rows[1:] - rows[:-1])
    labels = np.zeros((height, width), np.uint8)
    for obj in scene.objects:
        _paint_object(obj, t, frame, labels)
    frame *= scene.gains[t]
    frame += 0.5  # then truncating to uint8 rounds to the nearest level
    image = np.clip(frame, 0, 255).astype(np.uint8)
    return image, labels


def _first_frame_ok(scene, params):
    """Every target is visible at frame 0: large enough and mostly unoccluded."""
    _, labels = render_frame(scene, 0, (params.height, params.width))
    min_area = params.min_first_area * params.height * params.width
    for obj in scene.objects:
        if obj.object_id == 0:
            continue
        alone = np.zeros_like(labels)
        _paint_object(obj, 0, np.zeros(labels.shape + (3,), np.float32), alone)
        visible = np.count_nonzero(labels == obj.object_id)
        if visible < max(min_area, 1) or visible < 0.7 * np.count_nonzero(alone):
            return False
    return True


def make_valid_scene(params, split, index):
    """The scene of sequence ``index`` of ``split``, redrawn until frame 0 shows every target."""
    rng = np.random.default_rng([params.seed, SPLITS.index(split), index])
    for _ in range(MAX_LAYOUT_TRIES):
        scene = make_scene(rng, params)
        if _first_frame_ok(scene, params):
            return scene
    raise ConfigError(f'ToyVOSParams.object_radius={params.object_radius} cannot give every '
                      f'object min_first_area={params.min_first_area} at frame 0; raise the radius '
                      'or lower min_first_area.')


# --------------------------------------------------------------------------- COCO
def _rle_counts(mask):
    """Uncompressed COCO RLE counts of a binary ``[H, W]`` mask (column-major, zeros first)."""
    flat = mask.ravel(order='F').astype(np.int8)
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    counts = np.diff(bounds).tolist()
    return [0] + counts if flat.size and flat[0] else counts


def coco_annotation(mask, ann_id, image_id, category_id, object_id):
    """COCO instance dict of a non-empty binary ``[H, W]`` mask (RLE segmentation, tight bbox)."""
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return dict(id=ann_id, image_id=image_id, category_id=category_id, iscrowd=0,
                area=int(mask.sum()), object_id=object_id,
                bbox=[x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1],
                segmentation=dict(size=list(mask.shape), counts=_rle_counts(mask)))


def _coco_categories():
    return [dict(id=i + 1, name=kind, supercategory='toy') for i, kind in enumerate(SHAPES)]


# --------------------------------------------------------------------------- writing
def _write_sequence(root, name, scene, params, coco, digest):
    """Write frames and annotations of one sequence; extend ``coco`` and the content hash."""
    categories = {obj.object_id: SHAPES.index(obj.shape['kind']) + 1
                  for obj in scene.objects if obj.object_id}
    for t in range(scene.num_frames):
        image, labels = render_frame(scene, t, (params.height, params.width))
        frame = f'{t:05d}'
        os.makedirs(os.path.join(root, IMAGE_ROOT, name), exist_ok=True)
        Image.fromarray(image).save(os.path.join(root, IMAGE_ROOT, name, frame + '.jpg'),
                                    quality=params.jpeg_quality)
        save_palette_png(os.path.join(root, ANNOTATION_ROOT, name, frame + '.png'), labels)
        digest.update(f'{name}/{frame}:{labels.shape}'.encode())
        digest.update(labels.tobytes())
        if t % params.coco_frame_step:
            continue
        image_id = len(coco['images']) + 1
        coco['images'].append(dict(id=image_id, file_name=f'{name}/{frame}.jpg', sequence=name,
                                   frame_index=t, height=params.height, width=params.width))
        for object_id, category_id in sorted(categories.items()):
            mask = labels == object_id
            if mask.any():
                coco['annotations'].append(coco_annotation(
                    mask, len(coco['annotations']) + 1, image_id, category_id, object_id))


def _write_text(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))


def _write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, sort_keys=True, separators=(',', ':'))


def sequence_names(params, split):
    """Names of the sequences of a split, e.g. ``['toy_val_000', ...]``."""
    count = params.num_train if split == 'train' else params.num_val
    return [f'toy_{split}_{i:03d}' for i in range(count)]


def _write_dataset(root, params):
    """Generate the whole set into the (empty) folder ``root``; returns the manifest."""
    digest = hashlib.sha256(json.dumps(
        [GENERATOR_VERSION, params.to_dict()], sort_keys=True).encode())
    sequences = {}
    for split in SPLITS:
        coco = dict(images=[], annotations=[], categories=_coco_categories(),
                    info=dict(description=f'ToyVOS {split} (osmnseg synthetic set)',
                              image_root=IMAGE_ROOT))
        names = sequence_names(params, split)
        for index, name in enumerate(names):
            scene = make_valid_scene(params, split, index)
            _write_sequence(root, name, scene, params, coco, digest)
            sequences[name] = dict(split=split, num_frames=scene.num_frames,
                                   object_ids=list(range(1, scene.num_targets + 1)),
                                   num_distractors=len(scene.objects) - scene.num_targets)
        for version in ('2016', '2017'):
            _write_text(os.path.join(root, 'ImageSets', version, f'{split}.txt'), names)
        _write_json(os.path.join(root, 'annotations', f'instances_{split}.json'), coco)
    manifest = dict(generator=GENERATOR_NAME, generator_version=GENERATOR_VERSION,
                    params=params.to_dict(), file_count=_count_files(root),
                    content_hash=digest.hexdigest(), sequences=sequences)
    _write_json(os.path.join(root, MANIFEST), manifest)
    return manifest


def _count_files(root):
    """Number of files below ``root``, the manifest excluded."""
    count = sum(len(files) for _, _, files in os.walk(root))
    return count - os.path.isfile(os.path.join(root, MANIFEST))


# --------------------------------------------------------------------------- public entry points
def read_manifest(out_dir):
    """The manifest of a ToyVOS folder, or None when there is none (or it is unreadable)."""
    try:
        with open(os.path.join(out_dir, MANIFEST)) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get('generator') == \
        GENERATOR_NAME else None


def is_current(out_dir, params):
    """True when ``out_dir`` holds a complete ToyVOS set generated with exactly ``params``."""
    manifest = read_manifest(out_dir)
    return (manifest is not None and manifest.get('generator_version') == GENERATOR_VERSION and
            manifest.get('params') == params.to_dict() and
            manifest.get('file_count') == _count_files(out_dir))


def _as_params(params):
    if params is None:
        return ToyVOSParams()
    if isinstance(params, ToyVOSParams):
        return params
    return ToyVOSParams.from_dict(dict(params))


def _replace_folder(new_dir, out_dir):
    """Move the finished ``new_dir`` to ``out_dir``, replacing an older ToyVOS set there."""
    old_dir = None
    if os.path.isdir(out_dir):
        old_dir = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.old-',
                                   dir=os.path.dirname(out_dir))
        os.rename(out_dir, os.path.join(old_dir, 'set'))
    os.rename(new_dir, out_dir)
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)


def generate_toyvos(out_dir, params=None, force=False):
    """Write the ToyVOS set into ``out_dir`` unless it is already there with the same params.

    The set is generated in a temporary sibling folder and moved into place at the end, so an
    interrupted run never leaves a partial set that looks complete. An existing folder is only
    replaced if it is empty or holds an (outdated) ToyVOS set.

    Args:
        out_dir: target folder (created with its parents).
        params: ``ToyVOSParams``, a dict of its fields, or None for the defaults.
        force: regenerate even when the manifest matches.

    Returns:
        The manifest dict (``params``, ``generator_version``, ``file_count``, ``content_hash``,
        and per sequence ``split``, ``num_frames``, ``object_ids``, ``num_distractors``).

    Raises:
        DataError: ``out_dir`` exists and holds something other than a ToyVOS set.
    """
    params = _as_params(params)
    out_dir = os.path.abspath(out_dir)
    if not force and is_current(out_dir, params):
        return read_manifest(out_dir)
    if os.path.isdir(out_dir) and os.listdir(out_dir) and read_manifest(out_dir) is None:
        raise DataError(f'{out_dir} exists and is not a ToyVOS folder (no ToyVOS {MANIFEST}); '
                        'choose an empty or new output folder.')
    os.makedirs(os.path.dirname(out_dir), exist_ok=True)
    work_dir = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.tmp-',
                                dir=os.path.dirname(out_dir))
    try:
        manifest = _write_dataset(work_dir, params)
        _replace_folder(work_dir, out_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return manifest


def ensure_toyvos(out_dir, params=None):
    """Make sure ``out_dir`` holds the ToyVOS set of ``params``; returns ``out_dir``.

    Cheap when the set is current (reads the manifest and counts files); otherwise generates it
    with ``generate_toyvos``. Toy configs call this before building their data sets.
    """
    generate_toyvos(out_dir, params)
    return os.path.abspath(out_dir)


def copy_first_frame_baseline_jf(root, split='val'):
    """Score the trivial tracker that repeats each object's frame-0 mask in every frame.

    DAVIS 2017 protocol: J and F per object per frame, first and last frame excluded, mean over
    frames per object, then over all objects of the split's ``ImageSets/2017`` list.

    Args:
        root: a folder in the DAVIS layout (e.g. a ToyVOS set).
        split: ``'train'`` or ``'val'``.

    Returns:
        ``{'J': float, 'F': float, 'J&F': float}``.
    """
    with open(os.path.join(root, 'ImageSets', '2017', f'{split}.txt')) as f:
        names = [line.strip() for line in f if line.strip()]
    j_means, f_means = [], []
    for name in names:
        folder = os.path.join(root, ANNOTATION_ROOT, name)
        labels = np.stack([load_index_png(os.path.join(folder, file))
                           for file in sorted(os.listdir(folder)) if file.endswith('.png')])
        for object_id in np.unique(labels[0])[1:]:
            truth = labels[1:-1] == object_id
            copied = np.broadcast_to(labels[0] == object_id, truth.shape)
            j_means.append(np.mean(db_eval_iou(truth, copied)))
            f_means.append(np.mean(db_eval_boundary(truth, copied)))
    j_mean, f_mean = float(np.mean(j_means)), float(np.mean(f_means))
    return {'J': j_mean, 'F': f_mean, 'J&F': (j_mean + f_mean) / 2}
