"""Colours and textures: object textures in a hue family and low-saturation backgrounds."""
import colorsys

import numpy as np
from PIL import Image

TEXTURES = ('stripes', 'checkers', 'dots', 'gradient', 'noise')
TEXTURE_SIZE = 192


def _hsv(hue, sat, val):
    return np.array(colorsys.hsv_to_rgb(hue % 1.0, sat, val), np.float32) * 255.0


def distant_hue(rng, used, candidates=24):
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
