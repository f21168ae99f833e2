"""Look at results: masks drawn over frames, alone or saved as PNGs. Animated GIFs and MP4s of
such overlays are written by :mod:`osmnseg.io.video`.

Colours are the DAVIS palette (object 1 red, 2 green, 3 yellow, ...), as in the annotations.
"""
import numpy as np

from osmnseg.io.images import save_image
from osmnseg.io.masks import resize_mask
from osmnseg.io.palette import DAVIS_PALETTE


def overlay_mask(image, mask, alpha=0.5, contour=True):
    """Blend the object colours of an index mask into a frame.

    Args:
        image: ``[H, W, 3] uint8`` RGB frame.
        mask: ``[H, W]`` integer object ids (0 = background, left unchanged); resized with
            nearest neighbour when its size differs from the frame's.
        alpha: opacity of the object colours.
        contour: draw each object's 1-pixel outer boundary in its full colour.

    Returns:
        ``[H, W, 3] uint8`` RGB.
    """
    image = np.asarray(image, np.uint8)
    mask = resize_mask(np.asarray(mask, np.uint8), image.shape[:2])
    colors = DAVIS_PALETTE[mask].astype(np.float32)
    blended = image.astype(np.float32)
    objects = mask > 0
    blended[objects] = (1 - alpha) * blended[objects] + alpha * colors[objects]
    if contour:
        edges = _boundaries(mask)
        blended[edges] = colors[edges]
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def _boundaries(mask):
    """``[H, W] bool``: object pixels with a 4-neighbour of another id."""
    padded = np.pad(mask, 1, mode='edge')
    center = padded[1:-1, 1:-1]
    differs = ((padded[:-2, 1:-1] != center) | (padded[2:, 1:-1] != center) |
               (padded[1:-1, :-2] != center) | (padded[1:-1, 2:] != center))
    return differs & (mask > 0)


def save_overlay(path, image, mask, alpha=0.5):
    """Write :func:`overlay_mask` of ``image`` and ``mask`` as a PNG (parents created)."""
    save_image(path, overlay_mask(image, mask, alpha))
