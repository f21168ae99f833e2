"""A small manifest of a matching model's ONNX export, for the manifest and backend tests."""
from osmnseg.runtime.manifest import ExportManifest, GraphSpec

SETTINGS = dict(size=[32, 64], max_size=None, guide_size=224, pad_ratio=0.03,
                keep_aspect_ratio=False, mask_guide_background=True,
                normalize=dict(mode='rgb_unit'), spatial_guide='gaussian', min_std=5.0,
                dilate_radius=5, threshold=0.5, merge='soft')


def manifest():
    return ExportManifest('onnx', None, True, {
        'embed_frame': GraphSpec('embed_frame.onnx', ('image',), ('embedding',)),
        'track_frame': GraphSpec('track_frame.onnx', ('image', 'prev_mask'),
                                 ('embedding', 'logits'))}, SETTINGS)
