"""Mask agreement between two compute dtypes (e.g. bfloat16 against float32) on a data set.

Models loaded from the same checkpoint run every sequence of a split frame by frame
(:class:`~osmnseg.apis.InferenceCore`, the video protocol); each predicted frame scores the
mean over objects of the Jaccard index J between a run's masks and the reference dtype's.
Three runs are compared with the reference:

* ``agreement``: the ``dtype`` model on its own (the full protocol: each frame's spatial guide
  is its own previous prediction, so a few differing pixels are fed back frame after frame);
* ``same_guides``: the ``dtype`` model given the reference run's previous masks on every
  frame: the per-frame numerical agreement, without that feedback;
* ``control``: float32 computation with every weight rounded to ``dtype``: how far this
  model's masks drift apart under a perturbation of the size of ``dtype``'s rounding alone,
  whatever the kernels compute (the floor the ``agreement`` figure can reach with this model).

The precision ladder (``perturbed_e<k>``, :data:`LADDER_EXPONENTS`) runs float32 models whose
weights are multiplied by ``1 +- 2^-k`` (random signs) through the same protocol: the weight
precision this checkpoint needs for its masks to agree (bfloat16 rounds to within 2^-9,
float16 2^-12, float32 2^-24).
"""
import numpy as np
import tensorflow as tf

from osmnseg.evaluation import db_eval_iou

PROTOCOLS = ('agreement', 'same_guides', 'control')
LADDER_EXPONENTS = (10, 12, 14, 16)


def frame_agreement(mask_a, mask_b, object_ids):
    """Mean over ``object_ids`` of J between the two ``[H, W]`` index masks (1 if both lack it)."""
    return float(np.mean([db_eval_iou(mask_a == obj, mask_b == obj) for obj in object_ids]))


def round_weights(model, dtype):
    """Round every float32 variable of ``model`` to ``dtype`` and back, in place."""
    _transform_weights(model, lambda value: tf.cast(tf.cast(value, dtype), tf.float32))


def perturb_weights(model, exponent, seed=0):
    """Multiply every float32 variable of ``model`` elementwise by ``1 + s * 2^-exponent``,
    ``s`` a random sign per element (seeded), in place."""
    rng = np.random.default_rng(seed)
    step = np.float32(2.0 ** -exponent)
    _transform_weights(model, lambda value: value.numpy() * (
        1 + rng.choice(np.float32([-1.0, 1.0]), size=value.shape) * step))


def _transform_weights(model, transform):
    """Assign ``transform(variable)`` to every float32 variable of ``model`` (prepare it for
    inference afterwards)."""
    for variable in model.variables:
        if variable.dtype == tf.float32:
            variable.assign(transform(variable))


def sequence_agreement(cores, sequence):
    """Per-frame J of each run against ``cores['reference']`` on one sequence.

    Args:
        cores: ``{'reference' | protocol: InferenceCore}``; the ``same_guides`` core receives
            the reference's previous masks before every frame.
        sequence: a :class:`~osmnseg.datasets.VideoSequence`.

    Returns:
        ``{protocol: [J per frame after the first annotated one]}``.
    """
    from osmnseg.apis.inference.reader import AnnotationReader, read_frame

    first_frame = dict(sequence.first_frame)
    annotation = AnnotationReader(sequence.start_annotations)
    ids = list(sequence.object_ids)
    start = min(first_frame.values())
    scores = {name: [] for name in cores if name != 'reference'}
    for index, path in enumerate(sequence.frame_paths):
        frame = read_frame(path)
        masks = annotation.first_masks(index, ids, first_frame, frame.shape[:2])
        if 'same_guides' in cores:
            cores['same_guides'].memory.masks.update(
                {obj: mask.copy() for obj, mask in cores['reference'].memory.masks.items()})
        outputs = {name: core.step(frame, masks).index_mask for name, core in cores.items()}
        if index > start:
            for name in scores:
                scores[name].append(frame_agreement(outputs['reference'], outputs[name], ids))
    return scores


def mask_agreement(cfg, checkpoint, dtype, reference_dtype='float32', split='val',
                   device=None):
    """Per-frame J between ``dtype`` and ``reference_dtype`` masks on ``cfg.data[split]``.

    Frames up to each sequence's first annotated frame (ground truth in all runs) are skipped.
    ``device`` is as for :func:`~osmnseg.apis.init_segmentor` (default: the config's).

    Returns:
        dict with, for each protocol of :data:`PROTOCOLS` and each rung ``perturbed_e<k>`` of
        the precision ladder (module docstring), ``<run>_j_min``, ``<run>_j_mean`` and
        ``<run>_fraction_ge_098`` (share of frames with J >= 0.98), plus ``agreement_frames``
        and the two dtypes.
    """
    from osmnseg.apis import InferenceCore, InferenceSettings, init_segmentor
    from osmnseg.datasets import build_dataset

    dataset = build_dataset(dict(cfg.data[split], test_mode=True), key=f'data.{split}')
    settings = InferenceSettings.from_config(cfg)
    model = init_segmentor(cfg, checkpoint, device, dtype=dtype)
    control = init_segmentor(cfg, checkpoint, device, dtype=reference_dtype)
    round_weights(control, tf.as_dtype(dtype))
    models = dict(reference=init_segmentor(cfg, checkpoint, device, dtype=reference_dtype),
                  agreement=model, same_guides=model, control=control)
    for exponent in LADDER_EXPONENTS:
        perturbed = init_segmentor(cfg, checkpoint, device, dtype=reference_dtype)
        perturb_weights(perturbed, exponent)
        models[f'perturbed_e{exponent}'] = perturbed
    scores = {name: [] for name in models if name != 'reference'}
    for sequence in dataset.sequences():
        cores = {name: InferenceCore(m, settings) for name, m in models.items()}
        for name, values in sequence_agreement(cores, sequence).items():
            scores[name].extend(values)
    result = dict(mode='agreement', dtype=dtype, reference_dtype=reference_dtype,
                  agreement_frames=len(scores['agreement']))
    for name, values in scores.items():
        values = np.asarray(values)
        result.update({f'{name}_j_min': float(values.min()),
                       f'{name}_j_mean': float(values.mean()),
                       f'{name}_fraction_ge_098': float(np.mean(values >= 0.98))})
    return result
