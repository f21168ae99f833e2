"""Pure numpy/PIL building blocks of OSMN's input preprocessing (spec §4).

The TRANSFORMS classes of this package are thin wrappers around these functions, and the
inference code calls them directly, so training and testing prepare inputs the same way. Reading
files lives in :mod:`osmnseg.io`, and so do mask selection, nearest resize and dilation
(:mod:`osmnseg.io.masks`).
Conventions: images are ``[H, W, 3] uint8`` RGB until :func:`normalize_image`; masks are
``[H, W] uint8`` (0 = background); sizes are ``(H, W)``; boxes are ``(xmin, ymin, xmax, ymax)``.
Randomness comes only from an explicit ``numpy.random.Generator``; ``rng=None`` means "test
mode" (no random augmentation at all).
"""
import numpy as np
from PIL import Image, ImageEnhance

from osmnseg.io.masks import binary_dilation, disk, resize_mask

CAFFE_MEAN_BGR = (104.0, 117.0, 123.0)
NORMALIZE_MODES = ('mean_subtract', 'rgb_unit')
MAD_TO_STD = 1.4826  # MAD of a normal distribution times this is its standard deviation
# The spec's preparation defaults, written only here: the transforms of this package and
# osmnseg.apis.InferenceSettings take theirs from these names.
DEFAULT_GUIDE_SIZE = 224  # the visual modulators' original input side (spec §4.2 step 4)
TRAIN_PAD_RATIO = 0.0  # spec §4.2 step 3: the centre of the training box jitter ...
TEST_PAD_RATIO = 0.03  # ... and the fixed padding per side of the test-time guide box
DEFAULT_MIN_STD = 5.0  # spec §4.3 step 2: lower bound of the Gaussian's robust std, pixels
DEFAULT_DILATE_RADIUS = 5  # spec §4.4: disk radius of the MaskTrack guide's dilation


# ---------------------------------------------------------------------------------- geometry
def resize_image(image, size, sampled=False):
    """Resize an image bilinearly, ignoring the aspect ratio.

    ``sampled=False``: PIL's bilinear filter, which for a downscale also spreads over the
    pixels between the samples (what training uses). ``sampled=True``: bilinear samples at the
    output pixels' centres, the float32 arithmetic of TensorFlow's ``tf.image.resize``
    (half-pixel centres, no antialiasing), rounded to uint8: the inference core resizes so
    inside its compiled graph, and the TensorFlow-free runtime calls this to give the exported
    graphs the same input.

    Args:
        image: ``[h, w, 3] uint8``.
        size: ``(H, W)`` output size.
        sampled: see above.

    Returns:
        ``[H, W, 3] uint8`` (the input itself when it already has that size).
    """
    if image.shape[:2] == tuple(size):
        return image
    if not sampled:
        return np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.BILINEAR))
    top, bottom, y_lerp = _sample_grid(image.shape[0], size[0])
    left, right, x_lerp = _sample_grid(image.shape[1], size[1])
    rows = np.take(image, top, axis=0).astype(np.float32)  # rows first: contiguous copies
    rows += (np.take(image, bottom, axis=0) - rows) * y_lerp[:, None, None]
    out = np.take(rows, left, axis=1)
    out += (np.take(rows, right, axis=1) - out) * x_lerp[None, :, None]
    np.rint(out, out=out)
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def _sample_grid(in_size, out_size):
    """Source indices below / above each output pixel's centre and the weight of the one
    above (``[out_size]`` int64, int64, float32), as TensorFlow's half-pixel scaler."""
    scale = np.float32(in_size) / np.float32(out_size)
    position = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale \
        - np.float32(0.5)
    floor = np.floor(position)
    lower = np.maximum(floor, 0).astype(np.int64)
    upper = np.minimum(np.ceil(position), in_size - 1).astype(np.int64)
    return lower, upper, (position - floor).astype(np.float32)


def mask_bbox(mask):
    """Tight box of the non-zero pixels, with **inclusive** max coordinates.

    Returns:
        ``(xmin, ymin, xmax, ymax)`` ints; an empty mask gives the full image
        ``(0, 0, W - 1, H - 1)``.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return 0, 0, mask.shape[1] - 1, mask.shape[0] - 1
    cols = np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1])


def crop_zero_fill(array, box):
    """Crop like PIL ``Image.crop``: ``box = (x0, y0, x1, y1)`` with exclusive max, which may
    reach outside the array; the outside is filled with 0.

    Args:
        array: ``[H, W]`` or ``[H, W, C]``.

    Returns:
        ``[y1 - y0, x1 - x0(, C)]`` array of the input's dtype.
    """
    x0, y0, x1, y1 = (int(v) for v in box)
    height, width = array.shape[:2]
    out = np.zeros((max(y1 - y0, 0), max(x1 - x0, 0)) + array.shape[2:], array.dtype)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = array[sy0:sy1, sx0:sx1]
    return out


def jitter_box(width, height, ratios):
    """The reference's box jitter/padding (``util.py: data_augmentation``) of a ``width`` x
    ``height`` crop: each side moves outwards by ``ratio * side length``, truncated toward 0.

    Args:
        ratios: ``(left, top, right, bottom)``; positive expands, negative shrinks.

    Returns:
        ``(x0, y0, x1, y1)`` in the crop's coordinates, exclusive max.
    """
    left, top, right, bottom = ratios
    return (int(-left * width), int(-top * height),
            width + int(right * width), height + int(bottom * height))


def rotate_nearest(array, angle):
    """Rotate counter-clockwise by ``angle`` degrees about the centre, nearest neighbour, zero
    border -- the reference's OpenCV ``warpAffine(getRotationMatrix2D((w//2, h//2), angle))``.

    OpenCV puts pixel centres on integer coordinates, PIL on half-integers, so OpenCV's centre
    ``(w//2, h//2)`` is PIL's ``(w//2 + 0.5, h//2 + 0.5)``; both rotate counter-clockwise for a
    positive angle.

    Args:
        array: ``[H, W]`` or ``[H, W, 3]`` uint8.
    """
    height, width = array.shape[:2]
    center = (width // 2 + 0.5, height // 2 + 0.5)
    return np.asarray(Image.fromarray(array).rotate(angle, resample=Image.NEAREST, center=center))


def color_jitter(image, brightness, contrast):
    """PIL brightness then contrast enhancement of a ``[H, W, 3] uint8`` image."""
    pil_image = ImageEnhance.Brightness(Image.fromarray(image)).enhance(brightness)
    return np.asarray(ImageEnhance.Contrast(pil_image).enhance(contrast))


def _fit_keep_aspect(image, mask, size):
    """Scale by ``min(size / w, size / h)`` and centre-pad with zeros (floor pad on top/left)."""
    height, width = mask.shape
    ratio = min(np.float32(size) / np.float32(width), np.float32(size) / np.float32(height))
    new_w, new_h = max(int(width * ratio), 1), max(int(height * ratio), 1)
    image, mask = resize_image(image, (new_h, new_w)), resize_mask(mask, (new_h, new_w))
    pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
    box = (-pad_x, -pad_y, size - pad_x, size - pad_y)
    return crop_zero_fill(image, box), crop_zero_fill(mask, box)


# ---------------------------------------------------------------------------------- visual guide
def make_visual_guide(image, mask, rng=None, size=DEFAULT_GUIDE_SIZE, jitter_ratio=0.0,
                      pad_ratio=None, rotate_deg=0.0, flip_prob=0.0, color_jitter_range=None,
                      keep_aspect_ratio=False):
    """Crop the object and build the visual guide (spec §4.2 steps 2-5; normalisation and
    background masking are separate steps).

    1. Tight box of ``mask``. Quirk 13 is fixed: the box's inclusive max is kept (the reference
       cropped with it as an exclusive bound and lost the last object row and column).
    2. Box jitter/padding relative to the crop: ratios ``U(pad - jitter, pad + jitter)`` per
       side in training, ``pad`` on every side at test; what lies outside the tight crop is 0.
    3. Resize to ``size`` x ``size`` (image bilinear, mask nearest), or fit with the aspect
       ratio kept and zero padding.
    4. Training only, in this order: colour jitter, rotation ``U(-rotate_deg, rotate_deg)``
       (nearest, zero border), horizontal flip with probability ``flip_prob``.

    Args:
        image: ``[H, W, 3] uint8`` RGB reference frame.
        mask: ``[H, W] uint8`` object mask of that frame (non-zero = object).
        rng: ``numpy.random.Generator`` for the training augmentation; ``None`` disables every
            random step (jitter, colour, rotation, flip).
        pad_ratio: box padding ratio per side; ``None``: the spec's, ``TEST_PAD_RATIO`` (3 %)
            at test (``rng=None``) and ``TRAIN_PAD_RATIO`` (0) in training.
        color_jitter_range: ``(low, high)`` of the brightness and contrast factors, or ``None``.

    Returns:
        ``(guide [size, size, 3] uint8, guide_mask [size, size] uint8)``.
    """
    if pad_ratio is None:
        pad_ratio = TEST_PAD_RATIO if rng is None else TRAIN_PAD_RATIO
    xmin, ymin, xmax, ymax = mask_bbox(mask)
    tight_box = (xmin, ymin, xmax + 1, ymax + 1)
    image, mask = crop_zero_fill(image, tight_box), crop_zero_fill(mask, tight_box)
    if rng is not None and jitter_ratio > 0:
        ratios = rng.uniform(pad_ratio - jitter_ratio, pad_ratio + jitter_ratio, 4)
    else:
        ratios = (pad_ratio,) * 4
    if any(ratios):
        box = jitter_box(mask.shape[1], mask.shape[0], ratios)
        image, mask = crop_zero_fill(image, box), crop_zero_fill(mask, box)
    if keep_aspect_ratio:
        image, mask = _fit_keep_aspect(image, mask, size)
    else:
        image, mask = resize_image(image, (size, size)), resize_mask(mask, (size, size))
    if rng is None:
        return image, mask
    if color_jitter_range is not None:
        brightness, contrast = rng.uniform(color_jitter_range[0], color_jitter_range[1], 2)
        image = color_jitter(image, brightness, contrast)
    if rotate_deg > 0:
        angle = rng.uniform(-rotate_deg, rotate_deg)
        image, mask = rotate_nearest(image, angle), rotate_nearest(mask, angle)
    if flip_prob > 0 and rng.random() < flip_prob:
        image, mask = image[:, ::-1], mask[:, ::-1]
    return np.ascontiguousarray(image), np.ascontiguousarray(mask)


# ---------------------------------------------------------------------------------- spatial guide
def robust_gaussian_params(mask, min_std=DEFAULT_MIN_STD):
    """Robust centre and spread of the non-zero pixels (``util.py: compute_robust_moments``).

    Returns:
        ``(center, std)``, each ``[2] float64`` in (x, y) order: the per-axis median and
        ``max(1.4826 * MAD, min_std)``; ``None`` for an empty mask.
    """
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return None
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    center = np.median(points, axis=0)
    std = MAD_TO_STD * np.median(np.abs(points - center), axis=0)
    return center, np.maximum(std, min_std)


def gaussian_heatmap(size, center, std):
    """Axis-aligned Gaussian with peak 1 on the integer pixel grid.

    Args:
        size: ``(H, W)``.
        center, std: ``[2]`` in (x, y) order, pixels.

    Returns:
        ``[H, W] float32`` in [0, 1].
    """
    dx = (np.arange(size[1]) - center[0]) ** 2 * (0.5 / (std[0] * std[0]))
    dy = (np.arange(size[0]) - center[1]) ** 2 * (0.5 / (std[1] * std[1]))
    # exp(-(dy + dx)) = exp(-dy) * exp(-dx): H + W exponentials instead of H * W (float64, so
    # the float32 result matches the reference's exp of the sum).
    return np.clip(np.outer(np.exp(-dy), np.exp(-dx)), 0.0, 1.0).astype(np.float32)


def make_spatial_guide(mask, rng=None, center_perturb=0.2, std_perturb=0.4,
                       min_std=DEFAULT_MIN_STD):
    """The Gaussian spatial guide of spec §4.3 (``util.py: get_gb_image``).

    Args:
        mask: ``[H, W]`` mask at the working size (non-zero = object).
        rng: generator for the training perturbation (per axis ``c + U(-cp, cp) * std`` and
            ``std * U(1 / (1 + sp), 1 + sp)``); ``None`` = no perturbation (test).

    Returns:
        ``[H, W] float32`` in [0, 1]; all zeros for an empty mask.
    """
    params = robust_gaussian_params(mask, min_std)
    if params is None:
        return np.zeros(mask.shape[:2], np.float32)
    center, std = params
    if rng is not None:
        center = center + rng.uniform(-center_perturb, center_perturb, 2) * std
        std = std * rng.uniform(1.0 / (1.0 + std_perturb), 1.0 + std_perturb, 2)
    return gaussian_heatmap(mask.shape[:2], center, std)


# ---------------------------------------------------------------------------------- masktrack guide
def _scale_nearest(mask, ratio):
    """OpenCV ``resize(fx=fy=ratio, INTER_NEAREST)``: size rounded, source index floored."""
    height, width = mask.shape
    new_h, new_w = max(int(round(height * ratio)), 1), max(int(round(width * ratio)), 1)
    rows = np.minimum((np.arange(new_h) / ratio).astype(np.int64), height - 1)
    cols = np.minimum((np.arange(new_w) / ratio).astype(np.int64), width - 1)
    return mask[rows[:, None], cols[None, :]]


def perturb_mask(mask, rng, scale_range=(0.8, 1.2), shift_ratio=0.2):
    """MaskTrack's training perturbation (``util.py: perturb_mask``): rescale the object's
    crop by ``U(scale_range)`` and move its box centre by ``U(-shift, shift) * box size``.

    Returns:
        ``[H, W] uint8`` 0/1; all zeros for an empty mask.
    """
    out = np.zeros(mask.shape, np.uint8)
    if not mask.any():
        return out
    xmin, ymin, xmax, ymax = mask_bbox(mask)
    box_size = np.array([xmax - xmin, ymax - ymin])  # as the reference: no +1
    center = np.array([(xmin + xmax) // 2, (ymin + ymax) // 2])
    patch = _scale_nearest((mask[ymin:ymax + 1, xmin:xmax + 1] != 0).astype(np.uint8),
                           rng.uniform(scale_range[0], scale_range[1]))
    new_center = (rng.uniform(-shift_ratio, shift_ratio, 2) * box_size + center).astype(np.int64)
    left, top = new_center[0] - patch.shape[1] // 2, new_center[1] - patch.shape[0] // 2
    box = (-left, -top, mask.shape[1] - left, mask.shape[0] - top)
    return crop_zero_fill(patch, box)


def make_masktrack_guide(mask, rng=None, scale_range=(0.8, 1.2), shift_ratio=0.2,
                         dilate_radius=DEFAULT_DILATE_RADIUS):
    """The MaskTrack-style spatial guide of spec §4.4.

    Args:
        mask: ``[H, W]`` mask at the working size (non-zero = object).
        rng: generator for the training perturbation; ``None`` = dilation only (test).

    Returns:
        ``[H, W] float32`` with values 0/255.
    """
    if rng is not None:
        mask = perturb_mask(mask, rng, scale_range, shift_ratio)
    return binary_dilation(mask, disk(dilate_radius)).astype(np.float32) * 255.0


# ---------------------------------------------------------------------------------- normalisation
def check_normalize_mode(mode):
    if mode not in NORMALIZE_MODES:
        raise ValueError(f"normalisation mode must be one of {NORMALIZE_MODES}, got {mode!r}")


def normalize_image(image, mean=CAFFE_MEAN_BGR, scale=1.0, to_bgr=True, mode='mean_subtract'):
    """Network input normalisation (spec §4.1).

    ``mode='mean_subtract'``: ``(image[..., ::-1] - mean) * scale`` with ``mean`` given in the
    output channel order (B, G, R when ``to_bgr``), as OSMN's VGG/Caffe weights expect.
    ``mode='rgb_unit'``: RGB scaled to [-1, 1] (``image / 127.5 - 1``), as the TF-slim
    MobileNet ImageNet weights expect; ``mean``, ``scale`` and ``to_bgr`` are unused.

    Args:
        image: ``[..., 3]`` uint8 or float RGB.

    Returns:
        ``[..., 3] float32``.
    """
    check_normalize_mode(mode)
    image = np.asarray(image)
    if mode == 'rgb_unit':
        out = np.divide(image, np.float32(127.5), dtype=np.float32)
        out -= np.float32(1.0)
        return out
    if to_bgr:
        image = image[..., [2, 1, 0]]  # a contiguous copy: ~7x faster than a ::-1 view here
    out = np.subtract(image, np.asarray(mean, np.float32), dtype=np.float32)
    if scale != 1:
        out *= np.float32(scale)
    return out


def denormalize_image(image, mean=CAFFE_MEAN_BGR, scale=1.0, to_bgr=True, mode='mean_subtract'):
    """Invert :func:`normalize_image` for viewing.

    Returns:
        ``[..., 3] uint8`` RGB (clipped to 0..255).
    """
    check_normalize_mode(mode)
    image = np.asarray(image, np.float32)
    if mode == 'rgb_unit':
        image = (image + 1.0) * 127.5
    else:
        image = image / np.float32(scale) + np.asarray(mean, np.float32)
        if to_bgr:
            image = image[..., ::-1]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def mask_background(guide, guide_mask):
    """Zero every pixel of a normalised guide whose mask value is 0 (``util.py: mask_image``).

    Args:
        guide: ``[S, S, 3] float32`` normalised guide.
        guide_mask: ``[S, S]`` mask.

    Returns:
        a masked copy, ``[S, S, 3] float32``.
    """
    return np.where((guide_mask != 0)[..., None], guide, np.float32(0)).astype(np.float32)
