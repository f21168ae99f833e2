"""Rendering a scene's frame: the panned background, then the objects back to front."""
import numpy as np

from osmnseg.datasets.toyvos.shapes import shape_distance


def paint_object(obj, t, frame, labels):
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
        paint_object(obj, t, frame, labels)
    frame *= scene.gains[t]
    frame += 0.5  # then truncating to uint8 rounds to the nearest level
    image = np.clip(frame, 0, 255).astype(np.uint8)
    return image, labels
