"""The serving functions of a model: the per-object encoder and the per-frame step.

* ``encode_guide`` (models with a visual modulator): ``guide [N, S, S, 3]`` (normalised,
  background zeroed) -> one ``[N, C]`` output per visual parameter (named after the modulated
  layer, ``:`` written ``__``). Run once per object.
* ``segment_frame`` (other models): ``image [N, H, W, 3]``, ``spatial_guide [K, H, W, 1]`` and
  the visual parameters ``[K, C]`` -> ``logits [K, H, W, 1]``. Run once per frame, N = 1 (one
  frame, K objects) or N = K.
* ``embed_frame`` (matching models): ``image [1, H, W, 3]`` -> ``embedding [1, h, w, D]`` (h, w
  the matching grid). Run on the frame an object is annotated on.
* ``track_frame`` (matching models): ``image``, ``ref_embedding [K, h, w, D]`` and ``ref_mask
  [K, H, W, 1]`` (each object's annotated frame: its embeddings and 0/1 mask), ``prev_embedding
  [1, h, w, D]`` and ``prev_mask [K, H, W, 1]`` (the previous frame's), plus ``spatial_guide`` /
  visual parameters when the model also has those modulators -> ``logits [K, H, W, 1]`` and
  ``embedding [1, h, w, D]`` (the next frame's ``prev_embedding``).

Every function takes one dict of named float32 tensors and returns one; the names are the
graphs' input and output names in every format.
"""
import tensorflow as tf

from osmnseg.models.modulators.matching import MatchingMemory


def signature_name(layer):
    """A tensor name for a visual-parameter key (``':'`` -> ``'__'``)."""
    return layer.replace(':', '__')


def _spec(name, *shape):
    return tf.TensorSpec(shape, tf.float32, name=name)


def build_graphs(model, guide_size, work_size=None):
    """The serving functions of ``model`` (see the module doc), traced on first use.

    Args:
        model: an OSMN model prepared for inference (``model.prepare_for_inference``).
        guide_size: side S of the visual guide.
        work_size: ``(H, W)`` the frame inputs are fixed to, or ``None`` (free H and W).

    Returns:
        ``{name: tf.function}``, each with one dict input signature.
    """
    height, width = work_size or (None, None)
    example = model.encode_guide(tf.zeros([1, guide_size, guide_size, 3]))
    names = {layer: signature_name(layer) for layer in example}
    params = {names[layer]: _spec(names[layer], None, value.shape[-1])
              for layer, value in example.items()}
    image = _spec('image', None, height, width, 3)
    spatial = {'spatial_guide': _spec('spatial_guide', None, height, width, 1)}

    def visual(inputs):
        return {layer: inputs[name] for layer, name in names.items()}

    functions = {}
    if example:
        functions['encode_guide'] = _function(
            lambda inputs: {names[layer]: value
                            for layer, value in model.encode_guide(inputs['guide']).items()},
            guide=_spec('guide', None, guide_size, guide_size, 3))
    if model.matching_modulator is None:
        functions['segment_frame'] = _function(
            lambda inputs: {'logits': model.segment(inputs['image'], inputs['spatial_guide'],
                                                    visual(inputs))},
            image=image, **spatial, **params)
        return functions
    functions['embed_frame'] = _function(lambda inputs: {'embedding': model.embed(inputs['image'])},
                                         image=image)
    memory = _memory_specs(model, height, width)
    extra = dict(params, **(spatial if model.spatial_modulator is not None else {}))
    functions['track_frame'] = _function(
        lambda inputs: model.track(inputs['image'], visual(inputs),
                                   MatchingMemory(*[inputs[name] for name in memory]),
                                   inputs.get('spatial_guide')),
        image=image, **memory, **extra)
    return functions


def _memory_specs(model, height, width):
    """Specs of the matching memory, in :class:`MatchingMemory` order; the embedding grid is
    fixed with the frame size."""
    grid = (None, None)
    if height is not None:
        grid = tuple(model.embed(tf.zeros([1, height, width, 3])).shape[1:3])
    depth = model.matching_modulator.embed_channels
    return {'ref_embedding': _spec('ref_embedding', None, *grid, depth),
            'ref_mask': _spec('ref_mask', None, height, width, 1),
            'prev_embedding': _spec('prev_embedding', 1, *grid, depth),
            'prev_mask': _spec('prev_mask', None, height, width, 1)}


def _function(body, **specs):
    return tf.function(body, input_signature=[specs], autograph=False)


def output_names(function):
    """The output names of a function of :func:`build_graphs`, in flattened (sorted) order."""
    return tuple(sorted(function.get_concrete_function().structured_outputs))


def input_names(function):
    """The input names of a function of :func:`build_graphs`, in flattened (sorted) order."""
    return tuple(sorted(function.input_signature[0]))
