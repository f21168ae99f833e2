"""``VideoSequence``: one evaluation video as the inference code and the evaluators see it."""
import dataclasses
import os

import numpy as np

from osmnseg.io.palette import load_index_png


@dataclasses.dataclass(frozen=True)
class VideoSequence:
    """An evaluation video: its frames, its ground truth and which frames are scored.

    A *frame name* is a frame file's name without extension (``'00000'``); it keys
    ``annotation_paths`` and names the result PNGs.

    Attributes:
        name: sequence (video) name, e.g. ``'bike-packing'``.
        frame_paths: every frame of the video in temporal order (image files).
        annotation_paths: ``{frame_name: path}`` of the frames with a ground-truth index PNG.
        object_ids: sorted object ids (integers >= 1): the palette indices, or ``[1]`` for a
            single-object set (``label_threshold`` set).
        first_frame: ``{obj_id: index into frame_paths}`` of each object's first annotated
            frame (its guide frame); ``0`` except for YouTube-VOS objects that appear later.
        eval_frames: frame names that are predicted, written and scored (the evaluator may
            still drop some, e.g. DAVIS drops the first and the last frame).
        original_size: ``(H, W)`` of the ground-truth annotations (predictions are resized to
            it before they are written or scored).
        label_threshold: ``None`` when the annotations hold palette ids; for a single-object
            set (DAVIS 2016: 0, YouTube-Objects' JPEG-compressed labels: 127) the grey level
            above which a pixel is the object, id 1 (:meth:`read_annotation`).
    """

    name: str
    frame_paths: list
    annotation_paths: dict
    object_ids: list
    first_frame: dict
    eval_frames: list
    original_size: tuple
    label_threshold: int = None

    @property
    def single_object(self):
        """Whether this is a single-object set's sequence (binary annotations, object 1)."""
        return self.label_threshold is not None

    def read_annotation(self, name):
        """``[H, W] uint8`` object ids of the ground truth of frame ``name``: its palette ids,
        or for a single-object set 1 where the grey level is above ``label_threshold``."""
        labels = load_index_png(self.annotation_paths[name])
        if self.label_threshold is None:
            return labels
        return (labels > self.label_threshold).astype(np.uint8)

    @property
    def frame_names(self):
        """Frame names (file names without extension) in the order of ``frame_paths``."""
        return [os.path.splitext(os.path.basename(path))[0] for path in self.frame_paths]

    @property
    def start_annotations(self):
        """``{frame index: [H, W] uint8 object ids}`` of the frames where an object starts (the
        masks a propagation run is given; :meth:`read_annotation`)."""
        names = self.frame_names
        return {i: self.read_annotation(names[i]) for i in set(self.first_frame.values())}

    def __len__(self):
        return len(self.frame_paths)
