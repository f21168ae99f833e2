"""Two-object clips from single-object videos: one sequence's object, cut out with its mask on
every frame, pasted into another sequence (the product side's multi-object check).

The donor's frame and mask are scaled by ``scale`` and pasted at a fixed offset chosen on the
first frame (the quadrant corner where the pasted object covers the least of the host's
object); the donor's own motion moves it. Where the pasted object lies over the host's object
it occludes it: the host's annotation loses those pixels. Object ids: 1 the host's object, 2
the pasted one.
"""
import numpy as np

from osmnseg.datasets.pipelines.functional import resize_image
from osmnseg.io.masks import resize_mask

HOST_ID, PASTED_ID = 1, 2


def scaled_donor(frame, mask, scale):
    """The donor ``frame [H,W,3] uint8`` and ``mask [H,W]`` 0/1 scaled by ``scale`` (bilinear /
    nearest)."""
    size = (max(1, int(round(frame.shape[0] * scale))), max(1, int(round(frame.shape[1] * scale))))
    return resize_image(frame, size), resize_mask(mask, size)


def paste_offset(host_mask, donor_mask):
    """``(top, left)`` of the four corner placements of ``donor_mask`` (already scaled, not
    larger than the host) inside ``host_mask``'s frame where the pasted object covers the
    fewest host-object pixels (first in the order top-left, top-right, bottom-left,
    bottom-right on ties)."""
    height, width = host_mask.shape
    d_height, d_width = donor_mask.shape
    corners = [(0, 0), (0, width - d_width), (height - d_height, 0),
               (height - d_height, width - d_width)]
    overlaps = [int(np.count_nonzero(host_mask[top:top + d_height, left:left + d_width]
                                     & donor_mask)) for top, left in corners]
    return corners[int(np.argmin(overlaps))]


def paste(host_frame, host_mask, donor_frame, donor_mask, offset):
    """One composite frame.

    Args:
        host_frame: ``[H,W,3] uint8``; host_mask: ``[H,W]`` 0/1 (the host's object).
        donor_frame, donor_mask: the scaled donor (:func:`scaled_donor`), at most ``H x W``.
        offset: ``(top, left)`` of the donor in the host frame.

    Returns:
        ``(frame [H,W,3] uint8, index mask [H,W] uint8)`` with ids :data:`HOST_ID` and
        :data:`PASTED_ID` (the pasted object in front).
    """
    top, left = offset
    d_height, d_width = donor_mask.shape
    frame = host_frame.copy()
    index = (host_mask != 0).astype(np.uint8) * HOST_ID
    pasted = donor_mask != 0
    window = (slice(top, top + d_height), slice(left, left + d_width))
    frame[window][pasted] = donor_frame[pasted]
    index[window][pasted] = PASTED_ID
    return frame, index


def pasted_clip(host, donor, scale=0.5):
    """Yield the composite frames of a two-object clip.

    Args:
        host, donor: sequences of ``(frame [H,W,3] uint8, mask [H,W] 0/1)`` (any iterables;
            the clip is as long as the shorter). Host and donor frames may differ in size:
            the donor is scaled to ``scale`` of the host's frame size.
        scale: the donor's size relative to the host frame, in ``(0, 1]``.

    Yields:
        ``(frame, index mask)`` per frame (:func:`paste`).
    """
    if not 0 < scale <= 1:
        raise ValueError(f'scale must be in (0, 1], got {scale!r}')
    offset = None
    for (host_frame, host_mask), (donor_frame, donor_mask) in zip(host, donor):
        size = host_frame.shape[:2]
        donor_frame, donor_mask = scaled_donor(resize_image(donor_frame, size),
                                               resize_mask(donor_mask, size), scale)
        if offset is None:
            offset = paste_offset(host_mask != 0, donor_mask != 0)
        yield paste(host_frame, host_mask, donor_frame, donor_mask, offset)
