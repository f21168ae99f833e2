"""Smooth motion: wandering object trajectories (some leave and come back) and the pan path."""
import numpy as np


def smooth_series(rng, num_frames, amplitude, cycles=(0.3, 1.2)):
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
    wander = smooth_series(rng, num_frames, rng.uniform(0.5, 1.5), cycles=(0.5, 2.0))
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


def pan_path(rng, params, num_frames):
    """Straight slow pan: ``([T, 2] top-left (x, y) in the canvas, canvas padding in pixels)``."""
    speed = rng.uniform(*params.background_speed) * min(params.height, params.width)
    direction = rng.uniform(0, 2 * np.pi)
    step = speed * np.array([np.cos(direction), np.sin(direction)])
    pad = int(np.ceil(speed * (num_frames - 1))) + 2  # +1 for the bilinear neighbour
    start = np.where(step < 0, pad - 1, 0)
    return start + np.arange(num_frames)[:, None] * step, pad
