"""Procedural object shapes (ellipse, rounded rectangle, star, blob) in canonical units."""
import numpy as np

SHAPES = ('ellipse', 'rounded_rect', 'star', 'blob')


def random_shape(rng):
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
        shape: a dict from ``random_shape``.
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
