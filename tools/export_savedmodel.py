"""Export a trained OSMN as a TensorFlow SavedModel for serving.

    python tools/export_savedmodel.py CONFIG CHECKPOINT OUT_DIR [--dtype float32]

The SavedModel has the two halves of the inference protocol (spec §7.1) as signatures:

* ``encode_guide``: ``guide [N, S, S, 3] float32`` (normalised, background zeroed; S = the
  config's visual-guide size, 224 unless its test pipeline's ``VisualGuide`` says otherwise) ->
  the visual parameters, one output ``[N, C] float32`` per modulated layer (names: the layer
  name, ``:`` written as ``__``). Run once per object.
* ``segment_frame``: ``image [N, H, W, 3] float32`` (normalised), ``spatial_guide [N, H, W, 1]
  float32`` and the visual parameters (same names) -> ``logits [N, H, W, 1] float32``. H and W
  are free. Run once per frame; sigmoid(logits) > 0.5 is the mask.

A model with a matching modulator (``configs/osmn_match_*``) has instead:

* ``embed_frame``: ``image [1, H, W, 3] float32`` -> ``embedding [1, h, w, D]`` (h, w = the
  matching grid, H/8 x W/8). Run on the frame an object is annotated on.
* ``track_frame``: ``image [1, H, W, 3]``, ``ref_embedding [K, h', w', D]`` and ``ref_mask
  [K, H', W', 1]`` (each object's annotated frame: ``embed_frame``'s output and its 0/1 mask at
  working size), ``prev_embedding [1, h, w, D]`` and ``prev_mask [K, H, W, 1]`` (the previous
  frame's) -> ``logits [K, H, W, 1]`` and ``embedding [1, h, w, D]`` (the next frame's
  ``prev_embedding``). Visual parameters / ``spatial_guide`` inputs are added when the model
  also has those modulators.

Pre- and post-processing (normalisation, guides, merging objects) stay with the client; see
docs/deploy.md.
"""
import argparse
import os

from osmnseg.cli import add_config_options, add_debug_option, load_config, one_line_errors
from osmnseg.utils.errors import OutputError
from osmnseg.utils.paths import check_writable_dir


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Export an OSMN model as a SavedModel')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='work dir, checkpoint prefix or original checkpoint')
    parser.add_argument('out_dir', help='SavedModel folder to create')
    parser.add_argument('--dtype', choices=['float32', 'bfloat16', 'float16'], default='float32',
                        help='compute dtype inside the graph (inputs/outputs stay float32)')
    add_config_options(parser)
    add_debug_option(parser)
    return parser.parse_args(argv)


def signature_name(layer):
    """A valid SavedModel input/output name for a visual-parameter key (``':'`` -> ``'__'``)."""
    return layer.replace(':', '__')


def build_export_module(model, guide_size=224):
    """A ``tf.Module`` holding ``model`` and its serving functions (traced here) for
    ``guide_size`` x ``guide_size`` visual guides.

    Returns:
        ``(module, signatures)`` ready for ``tf.saved_model.save``.
    """
    import tensorflow as tf

    guide_spec = tf.TensorSpec([None, guide_size, guide_size, 3], tf.float32, name='guide')
    example = model.encode_guide(tf.zeros([1, guide_size, guide_size, 3]))
    names = {layer: signature_name(layer) for layer in example}
    param_specs = {names[layer]: tf.TensorSpec([None, value.shape[-1]], tf.float32,
                                               name=names[layer])
                   for layer, value in example.items()}
    image_spec = tf.TensorSpec([None, None, None, 3], tf.float32, name='image')
    map_spec = tf.TensorSpec([None, None, None, 1], tf.float32, name='spatial_guide')
    module, functions = tf.Module(), {}
    module.model = model
    if model.prepared_weights is not None:  # read by the traced graphs
        module.prepared_weights = model.prepared_weights.variables()

    if example:
        @tf.function(input_signature=[guide_spec])
        def encode_guide(guide):
            params = model.encode_guide(guide)
            return {names[layer]: value for layer, value in params.items()}

        functions['encode_guide'] = encode_guide

    if model.matching_modulator is None:
        @tf.function(input_signature=[image_spec, map_spec, param_specs])
        def segment_frame(image, spatial_guide, params):
            visual_params = {layer: params[name] for layer, name in names.items()}
            return {'logits': model.segment(image, spatial_guide, visual_params)}

        functions['segment_frame'] = segment_frame
    else:
        functions.update(_matching_functions(model, names, param_specs, image_spec, map_spec))
    for name, function in functions.items():
        setattr(module, name, function)
    return module, {name: function.get_concrete_function()
                    for name, function in functions.items()}


def _matching_functions(model, names, param_specs, image_spec, map_spec):
    """``embed_frame`` and ``track_frame`` of a matching model (see the module docstring)."""
    import tensorflow as tf

    from osmnseg.models.modulators.matching import MatchingMemory

    channels = {'ref_embedding': model.matching_modulator.embed_channels, 'ref_mask': 1,
                'prev_embedding': model.matching_modulator.embed_channels, 'prev_mask': 1}
    memory_specs = {name: tf.TensorSpec([None, None, None, depth], tf.float32, name=name)
                    for name, depth in channels.items()}
    extra_specs = dict(param_specs)
    if model.spatial_modulator is not None:
        extra_specs['spatial_guide'] = map_spec

    @tf.function(input_signature=[image_spec])
    def embed_frame(image):
        return {'embedding': model.embed(image)}

    @tf.function(input_signature=[image_spec, memory_specs, extra_specs])
    def track_frame(image, memory, extra):
        visual_params = {layer: extra[name] for layer, name in names.items()}
        return model.track(image, visual_params, MatchingMemory(**memory),
                           extra.get('spatial_guide'))

    return {'embed_frame': embed_frame, 'track_frame': track_frame}


def export(model, out_dir):
    """Write the SavedModel of ``model`` (from ``init_segmentor``, so ``model.cfg`` gives the
    visual-guide size) to ``out_dir``; returns the names of its signatures."""
    import tensorflow as tf

    from osmnseg.apis import InferenceSettings

    guide_size = InferenceSettings.from_config(model.cfg).guide_size
    module, signatures = build_export_module(model, guide_size)
    tf.saved_model.save(module, out_dir, signatures=signatures)
    return sorted(signatures)


def main(argv=None):
    args = parse_args(argv)
    with one_line_errors(args):
        from osmnseg.apis import init_segmentor

        check_writable_dir(args.out_dir, 'OUT_DIR')
        if os.path.isdir(args.out_dir) and os.listdir(args.out_dir):
            raise OutputError(f'OUT_DIR {args.out_dir} exists and is not empty; choose a new '
                              'folder (a SavedModel is never written over other files).')
        cfg = load_config(args.config, args.cfg_options, args.strict)
        model = init_segmentor(cfg, args.checkpoint, dtype=args.dtype)
        written = export(model, args.out_dir)
    print(f'SavedModel with signatures {", ".join(written)} written to {args.out_dir}')
    return args.out_dir


if __name__ == '__main__':
    main()
