"""Transforms that build OSMN's two guides: the visual guide (spec §4.2) and the spatial
guide, as a Gaussian heatmap (§4.3) or a MaskTrack-style dilated mask (§4.4)."""
from osmnseg.datasets.pipelines.base import BaseTransform
from osmnseg.datasets.pipelines.functional import (DEFAULT_DILATE_RADIUS, DEFAULT_GUIDE_SIZE,
                                                   DEFAULT_MIN_STD, make_masktrack_guide,
                                                   make_spatial_guide, make_visual_guide)
from osmnseg.io.masks import resize_mask
from osmnseg.registry import TRANSFORMS
from osmnseg.utils.errors import DataError

COLOR_JITTER_RANGE = (0.8, 1.3)


@TRANSFORMS.register_module()
class VisualGuide(BaseTransform):
    """Crop, augment and resize the object of the reference frame (spec §4.2 steps 1-5).

    Reads ``results[image_key]`` (``[H, W, 3] uint8``) and ``results[mask_key]`` (``[H, W]``
    0/1, same size); writes ``results['guide']`` (``[size, size, 3] uint8`` RGB, not yet
    normalised) and replaces ``results[mask_key]`` by the ``[size, size] uint8`` guide mask
    (``MaskGuideBackground`` uses it after normalisation).

    Args:
        size: output side (224 for the VGG16 / MobileNet visual modulators).
        jitter_ratio: training box jitter, each side's ratio ``U(pad - j, pad + j)``.
        pad_ratio: box padding ratio per side; ``None``: the spec's, 3 % with ``test_mode``
            and 0 in training (``TEST_PAD_RATIO`` / ``TRAIN_PAD_RATIO``).
        rotate_deg: training rotation range in degrees (nearest, zero border).
        flip_prob: training horizontal-flip probability.
        color_jitter: training brightness then contrast factors ``U(0.8, 1.3)``.
        keep_aspect_ratio: fit into the square with zero padding instead of stretching.
        test_mode: no randomness at all (no jitter, colour, rotation, flip).
        image_key, mask_key: the reference frame and its mask (COCO: ``image``).
    """

    def __init__(self, size=DEFAULT_GUIDE_SIZE, jitter_ratio=0.1, pad_ratio=None, rotate_deg=10.0,
                 flip_prob=0.5, color_jitter=False, keep_aspect_ratio=False, test_mode=False,
                 image_key='guide_image', mask_key='guide_mask'):
        self.size = size
        self.jitter_ratio = jitter_ratio
        self.pad_ratio = pad_ratio
        self.rotate_deg = rotate_deg
        self.flip_prob = flip_prob
        self.color_jitter = color_jitter
        self.keep_aspect_ratio = keep_aspect_ratio
        self.test_mode = test_mode
        self.image_key = image_key
        self.mask_key = mask_key

    @property
    def guide_size(self):
        return self.size

    @classmethod
    def inference_settings(cls, step):
        names = {'size': 'guide_size', 'pad_ratio': 'pad_ratio',
                 'keep_aspect_ratio': 'keep_aspect_ratio'}
        return {setting: step[key] for key, setting in names.items() if key in step}

    def __call__(self, results):
        image, mask = results[self.image_key], results[self.mask_key]
        if image.shape[:2] != mask.shape[:2]:
            raise DataError(
                f"the guide mask of {results.get('guide_label_path', results.get('image_path'))} "
                f'is {mask.shape[:2]} but its frame is {image.shape[:2]}; the annotation and '
                'the frame must have the same size.')
        results['guide'], results[self.mask_key] = make_visual_guide(
            image, mask, rng=None if self.test_mode else results['rng'], size=self.size,
            jitter_ratio=self.jitter_ratio, pad_ratio=self.pad_ratio,
            rotate_deg=self.rotate_deg, flip_prob=self.flip_prob,
            color_jitter_range=COLOR_JITTER_RANGE if self.color_jitter else None,
            keep_aspect_ratio=self.keep_aspect_ratio)
        return results


def _working_mask(results, source_key):
    """The spatial-guide source mask at the working size ``results['out_size']``."""
    return resize_mask(results[source_key], tuple(results['out_size']))


@TRANSFORMS.register_module()
class SpatialGuide(BaseTransform):
    """Gaussian heatmap of the previous-frame mask (spec §4.3) -> ``results['spatial_guide']``
    ``[H, W] float32`` in [0, 1] at the working size (zeros for an empty mask).

    Args:
        center_perturb: training centre shift ratio ``U(-r, r) * std`` per axis.
        std_perturb: training spread factor ``U(1 / (1 + r), 1 + r)`` per axis.
        min_std: lower bound of the robust (MAD) standard deviation, pixels.
        test_mode: no perturbation.
        source_key: the mask (resized with nearest to ``out_size`` if needed); COCO uses the
            augmented current mask ``label``.
    """

    def __init__(self, center_perturb=0.2, std_perturb=0.4, min_std=DEFAULT_MIN_STD,
                 test_mode=False, source_key='prev_mask'):
        self.center_perturb = center_perturb
        self.std_perturb = std_perturb
        self.min_std = min_std
        self.test_mode = test_mode
        self.source_key = source_key

    @classmethod
    def inference_settings(cls, step):
        return {'min_std': step['min_std']} if 'min_std' in step else {}

    def __call__(self, results):
        results['spatial_guide'] = make_spatial_guide(
            _working_mask(results, self.source_key),
            rng=None if self.test_mode else results['rng'], center_perturb=self.center_perturb,
            std_perturb=self.std_perturb, min_std=self.min_std)
        return results


@TRANSFORMS.register_module()
class MaskTrackGuide(BaseTransform):
    """MaskTrack-style spatial guide (spec §4.4) -> ``results['spatial_guide']`` ``[H, W]
    float32`` with values 0/255: in training the mask is rescaled and shifted, then always
    dilated with a disk.

    Args:
        scale_range: training rescale factor range of the object's crop.
        shift_ratio: training centre shift ``U(-r, r) * box size`` per axis.
        dilate_radius: disk radius of the dilation (5: an 11x11 element).
        test_mode: dilation only.
        source_key: as for ``SpatialGuide``.
    """

    def __init__(self, scale_range=(0.8, 1.2), shift_ratio=0.2,
                 dilate_radius=DEFAULT_DILATE_RADIUS, test_mode=False, source_key='prev_mask'):
        self.scale_range = tuple(scale_range)
        self.shift_ratio = shift_ratio
        self.dilate_radius = dilate_radius
        self.test_mode = test_mode
        self.source_key = source_key

    @classmethod
    def inference_settings(cls, step):
        settings = {'spatial_guide': 'masktrack'}
        if 'dilate_radius' in step:
            settings['dilate_radius'] = step['dilate_radius']
        return settings

    def __call__(self, results):
        results['spatial_guide'] = make_masktrack_guide(
            _working_mask(results, self.source_key),
            rng=None if self.test_mode else results['rng'], scale_range=self.scale_range,
            shift_ratio=self.shift_ratio, dilate_radius=self.dilate_radius)
        return results
