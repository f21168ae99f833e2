"""Scenes: a sequence's background, pan path and objects, drawn from a seeded generator."""
import dataclasses

import numpy as np

from osmnseg.datasets.toyvos.appearance import TEXTURES, distant_hue, make_background, make_texture
from osmnseg.datasets.toyvos.motion import make_trajectory, pan_path, smooth_series
from osmnseg.datasets.toyvos.params import SPLITS
from osmnseg.datasets.toyvos.render import paint_object, render_frame
from osmnseg.datasets.toyvos.shapes import random_shape
from osmnseg.utils.errors import ConfigError

MAX_LAYOUT_TRIES = 200


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
    scales = np.exp(smooth_series(rng, num_frames, rng.uniform(0.15, 0.4)))
    speed = rng.uniform(*params.speed) * unit
    t = np.arange(num_frames)
    angles = rng.uniform(0, 2 * np.pi) + rng.choice([-1, 1]) * rng.uniform(0.01, 0.05) * t
    return ToyObject(
        object_id=object_id, shape=shape, texture_kind=kind, texture=make_texture(rng, kind, hue),
        radius=radius, scales=scales, angles=angles + smooth_series(rng, num_frames, 0.3),
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
        hues.append(distant_hue(rng, hues))
        exits = rng.random() < params.exit_probability
        objects.append(_make_object(rng, index + 1, random_shape(rng), kinds[index % len(kinds)],
                                    hues[-1], params, num_frames, exits))
    for _ in range(num_distractors):
        model = objects[rng.integers(num_targets)]  # same shape, another look
        hues.append(distant_hue(rng, hues))
        others = [kind for kind in TEXTURES if kind != model.texture_kind]
        kind = others[rng.integers(len(others))]
        objects.append(_make_object(rng, 0, dict(model.shape), kind, hues[-1], params, num_frames))
    objects = [objects[i] for i in rng.permutation(len(objects))]
    pan, pad = pan_path(rng, params, num_frames)
    background = make_background(rng, params.height + pad, params.width + pad, hues[0])
    gains = 1.0 + smooth_series(rng, num_frames, 0.12)
    return ToyScene(background=background, pan=pan, gains=gains, objects=objects)


def _first_frame_ok(scene, params):
    """Every target is visible at frame 0: large enough and mostly unoccluded."""
    _, labels = render_frame(scene, 0, (params.height, params.width))
    min_area = params.min_first_area * params.height * params.width
    for obj in scene.objects:
        if obj.object_id == 0:
            continue
        alone = np.zeros_like(labels)
        paint_object(obj, 0, np.zeros(labels.shape + (3,), np.float32), alone)
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
