"""``VideoSequence``: one evaluation video as the inference code and the evaluators see it."""
import dataclasses
import os


@dataclasses.dataclass(frozen=True)
class VideoSequence:
    """An evaluation video: its frames, its ground truth and which frames are scored.

    A *frame name* is a frame file's name without extension (``'00000'``); it keys
    ``annotation_paths`` and names the result PNGs.

    Attributes:
        name: sequence (video) name, e.g. ``'bike-packing'``.
        frame_paths: every frame of the video in temporal order (image files).
        annotation_paths: ``{frame_name: path}`` of the frames with a ground-truth index PNG.
        object_ids: sorted object ids (palette indices). ``[None]`` for single-object sets whose
            masks are binarised with ``> 0`` (DAVIS 2016, YouTube-Objects), as ``obj_id=None``
            in the training samples.
        first_frame: ``{obj_id: index into frame_paths}`` of each object's first annotated
            frame (its guide frame); ``0`` except for YouTube-VOS objects that appear later.
        eval_frames: frame names that are predicted, written and scored (the evaluator may
            still drop some, e.g. DAVIS drops the first and the last frame).
        original_size: ``(H, W)`` of the ground-truth annotations (predictions are resized to
            it before they are written or scored).
    """

    name: str
    frame_paths: list
    annotation_paths: dict
    object_ids: list
    first_frame: dict
    eval_frames: list
    original_size: tuple

    @property
    def frame_names(self):
        """Frame names (file names without extension) in the order of ``frame_paths``."""
        return [os.path.splitext(os.path.basename(path))[0] for path in self.frame_paths]

    @property
    def start_annotations(self):
        """``{frame index: annotation path}`` of the frames where an object starts (the masks
        a propagation run is given)."""
        names = self.frame_names
        return {i: self.annotation_paths[names[i]] for i in set(self.first_frame.values())}

    def __len__(self):
        return len(self.frame_paths)
