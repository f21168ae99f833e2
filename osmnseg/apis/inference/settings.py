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
        """The ``(H, W)`` a frame of ``frame_size`` is segmented at."""
        if self.size is not None:
            return tuple(self.size)
        height, width = frame_size
        if self.max_size and max(height, width) > self.max_size:
            ratio = self.max_size / max(height, width)
            return max(1, int(round(height * ratio))), max(1, int(round(width * ratio)))
        return tuple(frame_size)
