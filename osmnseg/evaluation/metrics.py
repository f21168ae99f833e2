"""Per-frame DAVIS metrics: region similarity J and boundary F-measure.

A faithful NumPy re-implementation of ``davis2017/metrics.py`` of the official DAVIS evaluation
(davisvideochallenge/davis2017-evaluation). The official code dilates boundaries with
``cv2.dilate`` and ``skimage.morphology.disk``; here ``disk`` and ``binary_dilation`` of
:mod:`osmnseg.io.masks` give bit-identical maps with NumPy alone (a symmetric disk makes OpenCV's
unreflected kernel and the textbook dilation the same operation; OpenCV's default border never
adds foreground, like zero padding).
"""
import numpy as np

from osmnseg.io.masks import binary_dilation, disk


def db_eval_iou(annotation, segmentation, void=None):
    """Region similarity J: the Jaccard index of two binary masks, per frame.

    Args:
        annotation: ``[..., H, W]`` ground truth (non-zero = object).
        segmentation: ``[..., H, W]`` prediction, same shape.
        void: optional ``[..., H, W]`` mask of pixels to ignore.

    Returns:
        ``float`` for ``[H, W]`` inputs, else a ``[...] float64`` array. A frame whose union is
        empty (object absent in both) scores 1; absent in exactly one scores 0.
    """
    annotation = np.asarray(annotation).astype(bool)
    segmentation = np.asarray(segmentation).astype(bool)
    if annotation.shape != segmentation.shape:
        raise ValueError(f'annotation {annotation.shape} and segmentation '
                         f'{segmentation.shape} shapes differ')
    valid = np.ones_like(annotation) if void is None else ~np.asarray(void).astype(bool)
    intersection = np.sum(annotation & segmentation & valid, axis=(-2, -1))
    union = np.sum((annotation | segmentation) & valid, axis=(-2, -1))
    jaccard = np.where(union == 0, 1.0, intersection / np.maximum(union, 1))
    return float(jaccard) if jaccard.ndim == 0 else jaccard


def db_eval_boundary(annotation, segmentation, void=None, bound_th=0.008):
    """Boundary F-measure F per frame (official ``db_eval_boundary``).

    Args:
        annotation: ``[H, W]`` or ``[T, H, W]`` ground truth (non-zero = object).
        segmentation: prediction of the same shape.
        void: optional mask of pixels to ignore, same shape.
        bound_th: boundary tolerance; below 1 a fraction of the image diagonal (the tolerance is
            ``ceil(bound_th * diagonal)`` pixels, 8 at 854x480), otherwise a whole number of pixels.

    Returns:
        ``float`` for one frame, ``[T] float64`` for a stack of frames.
    """
    annotation = np.asarray(annotation)
    segmentation = np.asarray(segmentation)
    if annotation.shape != segmentation.shape:
        raise ValueError(f'annotation {annotation.shape} and segmentation '
                         f'{segmentation.shape} shapes differ')
    if void is not None and np.shape(void) != annotation.shape:
        raise ValueError(f'void {np.shape(void)} and annotation {annotation.shape} shapes differ')
    if annotation.ndim == 2:
        return f_measure(segmentation, annotation, void, bound_th)
    if annotation.ndim == 3:
        return np.array([
            f_measure(segmentation[t], annotation[t], None if void is None else void[t], bound_th)
            for t in range(annotation.shape[0])
        ])
    raise ValueError(f'db_eval_boundary takes [H, W] or [T, H, W] masks, got {annotation.ndim}-D')


def boundary_tolerance(shape, bound_th=0.008):
    """Dilation radius in pixels: ``ceil(bound_th * hypot(H, W))``, or ``bound_th`` if >= 1."""
    if bound_th >= 1:
        if bound_th != int(bound_th):
            raise ValueError(f'a pixel tolerance bound_th >= 1 must be a whole number, '
                             f'got {bound_th}')
        return int(bound_th)
    return int(np.ceil(bound_th * np.linalg.norm(shape)))


def f_measure(foreground_mask, gt_mask, void=None, bound_th=0.008):
    """Boundary precision/recall F-measure of one frame.

    Args:
        foreground_mask: ``[H, W]`` predicted mask (non-zero = object).
        gt_mask: ``[H, W]`` ground-truth mask.
        void: optional ``[H, W]`` mask of pixels removed from both masks first.
        bound_th: see :func:`db_eval_boundary`.

    Returns:
        ``float`` in [0, 1]: 1 when neither mask has a boundary, 0 when only one has.
    """
    foreground_mask = np.asarray(foreground_mask).astype(bool)
    gt_mask = np.asarray(gt_mask).astype(bool)
    if void is not None:
        valid = ~np.asarray(void).astype(bool)
        foreground_mask, gt_mask = foreground_mask & valid, gt_mask & valid
    radius = boundary_tolerance(foreground_mask.shape, bound_th)
    fg_boundary = seg2bmap(foreground_mask)
    gt_boundary = seg2bmap(gt_mask)
    n_fg, n_gt = int(fg_boundary.sum()), int(gt_boundary.sum())
    if n_fg == 0 or n_gt == 0:
        # Official table: no boundary in either -> P = R = 1; in only one -> F = 0.
        return 1.0 if n_fg == n_gt else 0.0
    # Matches are only read at boundary pixels and every dilation source is a boundary pixel,
    # so cropping both maps to the box around all boundary pixels leaves the counts exact.
    rows, cols = np.nonzero(fg_boundary | gt_boundary)
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    fg_boundary, gt_boundary = fg_boundary[box], gt_boundary[box]
    structure = disk(radius)
    fg_match = np.sum(fg_boundary & binary_dilation(gt_boundary, structure))
    gt_match = np.sum(gt_boundary & binary_dilation(fg_boundary, structure))
    precision = fg_match / n_fg
    recall = gt_match / n_gt
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def seg2bmap(seg):
    """One-pixel-wide boundary map of a mask (official ``_seg2bmap`` without rescaling).

    A pixel is a boundary pixel if it differs from its east, south or south-east neighbour
    (pixels outside the image count as background). In the last row only the east neighbour is
    compared, in the last column only the south one, and the bottom-right pixel is never a
    boundary — so the map lies half a pixel towards the origin of the true contour.

    Args:
        seg: ``[H, W]`` mask (non-zero = object).

    Returns:
        ``[H, W] bool`` boundary map.
    """
    seg = np.asarray(seg).astype(bool)
    east = np.zeros_like(seg)
    south = np.zeros_like(seg)
    south_east = np.zeros_like(seg)
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    south_east[:-1, :-1] = seg[1:, 1:]
    boundary = (seg ^ east) | (seg ^ south) | (seg ^ south_east)
    boundary[-1, :] = seg[-1, :] ^ east[-1, :]
    boundary[:, -1] = seg[:, -1] ^ south[:, -1]
    boundary[-1, -1] = False
    return boundary
