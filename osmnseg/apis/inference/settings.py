"""``InferenceSettings``: how frames and guides are prepared at test time."""
import dataclasses

from osmnseg.apis.inference.merge import MERGE_MODES
from osmnseg.datasets.pipelines.functional import (DEFAULT_DILATE_RADIUS, DEFAULT_GUIDE_SIZE,
                                                   DEFAULT_MIN_STD, TEST_PAD_RATIO)
from osmnseg.utils.errors import ConfigError


@dataclasses.dataclass
class InferenceSettings:
    """How frames and guides are prepared at test time (must match training). The defaults
    are the spec's, named once in ``osmnseg.datasets.pipelines.functional`` and shared with the
    pipeline steps.

    Attributes:
        size: working ``(H, W)``; ``None`` = each frame's own size.
        max_size: with ``size=None``, frames whose longer side exceeds this are processed at
            a reduced size (aspect kept) and masks resized back.
        size_divisor: the working size's sides are rounded to the nearest multiple of this
            (one multiple at least); give the network's largest stride, so that every feature
            map covers the frame exactly (off a multiple the fed-back mask drifts: figures in
            docs/inference.md). ``None``: sizes are used as they are.
        guide_size: side of the square visual guide.
        pad_ratio: box padding of the test visual guide (spec §4.2: 3 %).
        keep_aspect_ratio: fit the guide crop with its aspect ratio kept.
        mask_guide_background: zero the guide's background (off with ``bbox_sup``).
        normalize: keyword arguments of ``normalize_image`` (mean, scale, to_bgr, mode).
        spatial_guide: ``'gaussian'`` (§4.3) or ``'masktrack'`` (§4.4).
        min_std: minimum Gaussian std in pixels.
        dilate_radius: masktrack dilation radius.
        threshold: probability threshold of a predicted mask.
        merge: ``'argmax'`` (spec §7.5: a constant 0.5 background, each object's next mask its
            thresholded probability) or ``'soft'`` (soft aggregation of the objects' scores,
            each object's next mask its region of the merged mask).
    """

    size: tuple = None
    max_size: int = None
    size_divisor: int = None
    guide_size: int = DEFAULT_GUIDE_SIZE
    pad_ratio: float = TEST_PAD_RATIO
    keep_aspect_ratio: bool = False
    mask_guide_background: bool = True
    normalize: dict = dataclasses.field(default_factory=dict)
    spatial_guide: str = 'gaussian'
    min_std: float = DEFAULT_MIN_STD
    dilate_radius: int = DEFAULT_DILATE_RADIUS
    threshold: float = 0.5
    merge: str = 'argmax'

    def __post_init__(self):
        divisor = self.size_divisor
        if divisor is not None and (type(divisor) is not int or divisor < 1):
            raise ConfigError(f'test_cfg.size_divisor={divisor!r} must be a positive '
                              f'integer (the network\'s largest stride, e.g. 32) or None.')
        if self.merge not in MERGE_MODES:
            raise ConfigError(f'test_cfg.merge={self.merge!r} is unknown; use one of '
                              f'{", ".join(MERGE_MODES)}.')

    @classmethod
    def from_config(cls, cfg):
        """Read ``cfg.test_cfg`` and, so that training and testing cannot diverge, what each
        step of the test pipeline (``cfg.data.test.pipeline``) states about test-time
        preparation (its transform's ``inference_settings``); ``test_cfg`` wins.

        Raises:
            RegistryError: a pipeline step names no registered transform.
        """
        from osmnseg.registry import TRANSFORMS

        settings = dict(cfg.get('test_cfg') or {})
        data = cfg.get('data') or {}
        pipeline = (data.get('test') or {}).get('pipeline') or []
        for step in pipeline:
            for key, value in TRANSFORMS.get(step['type']).inference_settings(step).items():
                settings.setdefault(key, value)
        if pipeline:  # the guide background is zeroed only if the test pipeline does it
            settings.setdefault('mask_guide_background', False)
        if settings.get('size') is not None:
            settings['size'] = tuple(settings['size'])
        return cls(**settings)

    def working_size(self, frame_size):
        """The ``(H, W)`` a frame of ``frame_size`` is segmented at: ``size``, else the frame's
        size reduced to ``max_size``; its sides rounded to multiples of ``size_divisor``."""
        if self.size is not None:
            size = tuple(self.size)
        elif self.max_size and max(frame_size) > self.max_size:
            ratio = self.max_size / max(frame_size)
            size = tuple(max(1, int(round(side * ratio))) for side in frame_size)
        else:
            size = tuple(frame_size)
        divisor = self.size_divisor
        if divisor is None:
            return size
        return tuple(max(divisor, (side + divisor // 2) // divisor * divisor) for side in size)
