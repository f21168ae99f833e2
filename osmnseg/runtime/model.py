"""``ExportedModel``: the graphs of an export folder behind the calls of the frame loop."""
import numpy as np

from osmnseg.runtime.backends import default_backend, load_graph
from osmnseg.runtime.manifest import ExportManifest
from osmnseg.utils.errors import DataError

MEMORY_INPUTS = ('ref_embedding', 'ref_mask', 'prev_embedding', 'prev_mask')


class ExportedModel:
    """The exported graphs of one model, called with numpy arrays.

    Args:
        manifest: the export's :class:`~osmnseg.runtime.manifest.ExportManifest`.
        graphs: ``{name: callable(feeds) -> outputs}`` for every graph of the manifest (the
            backends' graphs, or TensorFlow functions while the exporter calibrates).
    """

    def __init__(self, manifest, graphs):
        self.manifest = manifest
        self.graphs = graphs
        self.settings = manifest.loop_settings()
        self.matching = manifest.matching
        self.step_graph = 'track_frame' if self.matching else 'segment_frame'
        step_inputs = manifest.graphs[self.step_graph].inputs
        self.param_names = tuple(name for name in step_inputs
                                 if name not in ('image', 'spatial_guide', *MEMORY_INPUTS))
        self.takes_spatial_guide = 'spatial_guide' in step_inputs

    @classmethod
    def load(cls, folder, backend=None, threads=None):
        """The export in ``folder`` (``tools/export.py --out``) run by ``backend``
        (``'onnx'`` or ``'tflite'``; default: the one that runs the export's format) with
        ``threads`` threads (``None``: one per core).

        Raises:
            DataError: a bad manifest, a missing graph file, or a backend that does not run
                the export's format.
            ConfigError: the backend's package is not installed.
        """
        manifest = ExportManifest.load(folder)
        expected = default_backend(manifest.format)
        backend = backend or expected
        if backend != expected:
            raise DataError(f'{folder} holds a {manifest.format} export, which the {backend} '
                            f'backend cannot run; use --backend {expected}.')
        return cls(manifest, {name: load_graph(folder, spec, backend, threads)
                              for name, spec in manifest.graphs.items()})

    def encode_guide(self, guide):
        """``{name: [1, C] float32}`` visual parameters of a ``[1, S, S, 3]`` guide (``{}``
        without visual modulator)."""
        if not self.param_names:
            return {}
        return self.graphs['encode_guide']({'guide': guide})

    def embed(self, image):
        """``[1, h, w, D] float32`` matching embeddings of a ``[1, H, W, 3]`` frame."""
        return self.graphs['embed_frame']({'image': image})['embedding']

    def step(self, image, params, spatial_guide=None, memory=None):
        """One frame of K objects.

        Args:
            image: ``[1, H, W, 3] float32`` normalised frame.
            params: ``{name: [K, C] float32}`` stacked visual parameters.
            spatial_guide: ``[K, H, W, 1] float32`` when the model takes one.
            memory: matching models: ``{'ref_embedding', 'ref_mask', 'prev_embedding',
                'prev_mask'}`` arrays (see ``osmnseg.models.modulators.matching``).

        Returns:
            ``{'logits': [K, H, W, 1] float32}`` and, for matching models, ``'embedding'``
            ``[1, h, w, D]`` of this frame.
        """
        feeds = dict(params, image=image, **(memory or {}))
        if self.takes_spatial_guide:
            feeds['spatial_guide'] = spatial_guide
        return self.graphs[self.step_graph]({name: np.ascontiguousarray(value, np.float32)
                                             for name, value in feeds.items()})
