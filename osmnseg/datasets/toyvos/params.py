"""``ToyVOSParams``: everything that determines a ToyVOS set, validated."""
import dataclasses
import json

from osmnseg.utils.errors import ConfigError

SPLITS = ('train', 'val')


@dataclasses.dataclass(frozen=True)
class ToyVOSParams:
    """Everything that determines a ToyVOS set; lengths are fractions of ``min(height, width)``.

    Attributes:
        seed: master seed; sequence ``i`` of a split is drawn from ``(seed, split, i)``.
        num_train, num_val: number of sequences per split.
        height, width: frame size in pixels.
        min_frames, max_frames: inclusive range of sequence lengths (at least 3 frames).
        max_objects: annotated objects per sequence are drawn from 1..max_objects.
        num_distractors: inclusive (low, high) range of un-annotated look-alikes per sequence.
        object_radius: (low, high) radius of an object at frame 0.
        speed: (low, high) mean speed of an object per frame.
        background_speed: (low, high) panning speed of the background per frame.
        exit_probability: chance that a target leaves the frame and comes back.
        min_first_area: minimum visible area of every target at frame 0, fraction of the image.
        coco_frame_step: every n-th frame of a sequence becomes a COCO image.
        jpeg_quality: quality of the JPEG frames.
    """
    seed: int = 0
    num_train: int = 30
    num_val: int = 10
    height: int = 240
    width: int = 432
    min_frames: int = 24
    max_frames: int = 40
    max_objects: int = 3
    num_distractors: tuple = (1, 2)
    object_radius: tuple = (0.15, 0.25)
    speed: tuple = (0.004, 0.010)
    background_speed: tuple = (0.001, 0.004)
    exit_probability: float = 0.35
    min_first_area: float = 0.005
    coco_frame_step: int = 5
    jpeg_quality: int = 90

    def __post_init__(self):
        for name in ('num_distractors', 'object_radius', 'speed', 'background_speed'):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        checks = [
            ('num_train', self.num_train >= 0), ('num_val', self.num_val >= 0),
            ('num_train', self.num_train + self.num_val > 0),
            ('height', self.height >= 16), ('width', self.width >= 16),
            ('min_frames', 3 <= self.min_frames <= self.max_frames),
            ('max_objects', 1 <= self.max_objects <= 10),
            ('num_distractors', 0 <= self.num_distractors[0] <= self.num_distractors[1]),
            ('object_radius', 0 < self.object_radius[0] <= self.object_radius[1] <= 0.45),
            ('speed', 0 <= self.speed[0] <= self.speed[1]),
            ('background_speed', 0 <= self.background_speed[0] <= self.background_speed[1]),
            ('exit_probability', 0 <= self.exit_probability <= 1),
            ('min_first_area', 0 <= self.min_first_area < 0.1),
            ('coco_frame_step', self.coco_frame_step >= 1),
            ('jpeg_quality', 1 <= self.jpeg_quality <= 100),
        ]
        for name, ok in checks:
            if not ok:
                raise ConfigError(f'ToyVOSParams.{name}={getattr(self, name)!r} is out of range; '
                                  'see the ToyVOSParams docstring for valid values.')

    @classmethod
    def from_dict(cls, values):
        """Build params from a (config) dict; unknown keys raise ConfigError."""
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f'unknown ToyVOS parameter(s) {unknown}; valid ones are '
                              f'{[f.name for f in dataclasses.fields(cls)]}.')
        return cls(**values)

    def to_dict(self):
        """JSON-compatible dict (tuples become lists), as stored in the manifest."""
        return json.loads(json.dumps(dataclasses.asdict(self)))
