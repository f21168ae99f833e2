"""Representative inputs for int8 quantisation: the graphs' inputs while the runtime's frame
loop segments the first frames of training sequences, the graphs run by TensorFlow."""
import numpy as np
import tensorflow as tf

from osmnseg.apis.inference.reader import AnnotationReader
from osmnseg.io.images import read_image
from osmnseg.runtime.core import RuntimeCore
from osmnseg.runtime.model import ExportedModel
from osmnseg.utils.errors import DataError

FRAMES_PER_SEQUENCE = 8


class _RecordingGraph:
    """Runs a function of :func:`~osmnseg.export.graphs.build_graphs` on numpy feeds and keeps
    every feed."""

    def __init__(self, function):
        self.function = function
        self.feeds = []

    def __call__(self, feeds):
        self.feeds.append(feeds)
        outputs = self.function({name: tf.constant(value) for name, value in feeds.items()})
        return {name: value.numpy() for name, value in outputs.items()}


def calibration_samples(functions, manifest, sequences, max_frames):
    """``{graph name: [{input name: float32 array}]}`` recorded on up to ``max_frames`` frames:
    the first :data:`FRAMES_PER_SEQUENCE` frames of each sequence in turn, its objects started
    from their annotations.

    Args:
        functions: ``{name: tf.function}`` of :func:`~osmnseg.export.graphs.build_graphs` at
            the export's working size.
        manifest: the export's :class:`~osmnseg.runtime.manifest.ExportManifest`.
        sequences: ``VideoSequence`` list (a training set's ``sequences()``).

    Raises:
        DataError: no sequence gave a frame.
    """
    recorders = {name: _RecordingGraph(function) for name, function in functions.items()}
    model = ExportedModel(manifest, recorders)
    frames = 0
    for sequence in sequences:
        core = RuntimeCore(model)
        annotations = AnnotationReader(sequence.start_annotations)
        for index, path in enumerate(sequence.frame_paths[:FRAMES_PER_SEQUENCE]):
            frame = read_image(path)
            core.step(frame, annotations.first_masks(index, sequence.object_ids,
                                                     sequence.first_frame, frame.shape[:2]))
            frames += 1
            if frames >= max_frames:
                return _samples(recorders)
    if not frames:
        raise DataError('the calibration data set has no frames; check data.train of the '
                        'config (int8 calibrates on its sequences).')
    return _samples(recorders)


def _samples(recorders):
    return {name: [{key: np.asarray(value, np.float32) for key, value in feeds.items()}
                   for feeds in recorder.feeds]
            for name, recorder in recorders.items()}
