"""The export manifest: what ``tools/export.py`` writes beside the graphs, and what the runtime
needs to run them: which graphs there are and how the frame loop prepares their inputs.

``EXPORT_DIR/osmnseg_export.json``::

    {"version": 1, "format": "onnx", "quantize": null, "matching": true,
     "graphs": {"embed_frame": {"file": "embed_frame.onnx", "inputs": ["image"],
                                "outputs": ["embedding"]}, ...},
     "settings": {"size": [384, 672], "normalize": {"mode": "rgb_unit"}, "merge": "soft", ...}}

``settings`` holds the fields of ``osmnseg.apis.InferenceSettings`` (working size, normalisation,
visual-guide size and padding, spatial-guide kind and parameters, threshold, merge mode).
"""
import dataclasses
import json
import os
import types

from osmnseg.utils.errors import DataError

MANIFEST_FILE = 'osmnseg_export.json'
MANIFEST_VERSION = 1
FORMATS = ('savedmodel', 'onnx', 'tflite')
# the settings the runtime's frame loop reads (the manifest may hold more)
LOOP_SETTINGS = ('size', 'guide_size', 'pad_ratio', 'keep_aspect_ratio', 'mask_guide_background',
                 'normalize', 'spatial_guide', 'min_std', 'dilate_radius', 'threshold', 'merge')


@dataclasses.dataclass(frozen=True)
class GraphSpec:
    """One exported graph: its file (relative to the export folder) and its tensor names."""

    file: str
    inputs: tuple
    outputs: tuple


@dataclasses.dataclass(frozen=True)
class ExportManifest:
    """What an export folder holds.

    Attributes:
        format: ``'savedmodel' | 'onnx' | 'tflite'``.
        quantize: ``None``, ``'fp16'`` or ``'int8'``.
        matching: the model matches frames (graphs ``embed_frame`` and ``track_frame``);
            otherwise it has ``segment_frame``. Either may also have ``encode_guide`` (a visual
            modulator).
        graphs: ``{name: GraphSpec}``.
        settings: ``{name: value}``, the test-time settings of the config (see module doc).
    """

    format: str
    quantize: str
    matching: bool
    graphs: dict
    settings: dict

    def loop_settings(self):
        """The settings as attributes (``settings.size`` ...), the working size a tuple."""
        values = {key: self.settings[key] for key in LOOP_SETTINGS}
        values['size'] = tuple(values['size'])
        return types.SimpleNamespace(**values)

    def save(self, folder):
        """Write ``folder/osmnseg_export.json``."""
        data = dict(version=MANIFEST_VERSION, format=self.format, quantize=self.quantize,
                    matching=self.matching, settings=self.settings,
                    graphs={name: dataclasses.asdict(spec) for name, spec in self.graphs.items()})
        with open(os.path.join(folder, MANIFEST_FILE), 'w', encoding='utf-8') as file:
            json.dump(data, file, indent=2, sort_keys=True)
            file.write('\n')

    @classmethod
    def load(cls, folder):
        """Read the manifest of an export folder.

        Raises:
            DataError: the folder or its manifest is missing, unreadable, of another version,
                or lacks an entry the runtime needs.
        """
        path = os.path.join(folder, MANIFEST_FILE)
        if not os.path.isfile(path):
            raise DataError(f'{folder} holds no {MANIFEST_FILE}; give a folder written by '
                            'tools/export.py (--out).')
        try:
            with open(path, encoding='utf-8') as file:
                data = json.load(file)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DataError(f'{path} is not valid JSON ({err}); export the model again.') from err
        if not isinstance(data, dict) or data.get('version') != MANIFEST_VERSION:
            raise DataError(f'{path} is not a version-{MANIFEST_VERSION} osmnseg export '
                            'manifest; export the model again with this osmnseg.')
        _require(data, ('format', 'quantize', 'matching', 'graphs', 'settings'), path, '')
        _require(data['settings'], LOOP_SETTINGS, path, 'settings.')
        graphs = {}
        for name, spec in data['graphs'].items():
            _require(spec, ('file', 'inputs', 'outputs'), path, f'graphs.{name}.')
            graphs[name] = GraphSpec(spec['file'], tuple(spec['inputs']), tuple(spec['outputs']))
        return cls(data['format'], data['quantize'], bool(data['matching']), graphs,
                   data['settings'])


def _require(entries, keys, path, prefix):
    missing = [key for key in keys if not isinstance(entries, dict) or key not in entries]
    if missing:
        raise DataError(f'{path} lacks {prefix}{missing[0]}; export the model again with '
                        'tools/export.py.')
