"""The OSMN segmentor: backbone + visual / spatial modulators + head + loss (spec §1, §3)."""
import contextlib
import functools

import tensorflow as tf

from osmnseg.models.layers import (Module, Modulation, PreparedSet, broadcast_batch, modulate,
                                   reading_prepared, weights_changed)
from osmnseg.models.modulators.matching import MatchingMemory
from osmnseg.registry import BACKBONES, HEADS, LOSSES, MODULATORS, SEGMENTORS
from osmnseg.utils.errors import BuildError, ConfigError

COMPUTE_DTYPES = ('float32', 'bfloat16', 'float16')


@SEGMENTORS.register_module()
class OSMN(Module):
    """One-shot modulation network: segments one object per sample.

    ::

        visual guide [B,224,224,3] ──► visual_modulator ──► scales γ {layer: [B,C]}  (once/object)
        spatial guide [B,H,W,1] ─────► spatial_modulator ─► shifts β {layer: [B,h,w,C]}
        image [B,H,W,3] ──► backbone (f ← γ·f + β after each modulated layer) ──► head ──► logits

    Args:
        backbone, head: config dicts (``BACKBONES`` / ``HEADS``). The backbone and the
            modulators may carry ``init_cfg=dict(type='Pretrained', checkpoint=PATH)`` (ImageNet
            weights, applied by :meth:`init_weights` when training starts). The backbone receives
            ``trainable=train_seg``; the head receives the backbone's ``in_channels``,
            ``in_strides`` and ``trainable=train_seg``.
        visual_modulator, spatial_modulator: config dicts (``MODULATORS``) or ``None`` to disable
            (ablations). Each receives ``layers``: the backbone's modulatable layers, without its
            early layers unless ``mod_early_conv``.
        matching_modulator: config dict of a modulator that matches the frame's embeddings
            with an annotated and the previous frame (``MatchingModulator``), or ``None``. It
            embeds the unmodulated output of its ``source_layer``, which must come before every
            other modulated layer; the head may read its guidance map (``'matching'`` in the
            head's ``in_features``). Training batches then hold ``guide_image``,
            ``guide_mask``, ``prev_image`` and ``prev_mask``; inference uses :meth:`embed` and
            :meth:`track`.
        loss: config dict (``LOSSES``), default ``ClassBalancedBCE``.
        train_seg: train the segmentation convs (False = the original ``--fix_seg``).
        fix_bn: run the spatial modulator's batch norm in inference mode while training (moving
            statistics used and kept; gamma/beta still trained).
        mod_early_conv: also modulate the backbone's early layers (VGG conv1_x, conv2_x).
        weight_decay: λ of the L2 penalty λ/2·ΣW² (2e-4 VGG variants, 4e-5 lite).
        guide_as_input: MaskTrack mode: the spatial guide is concatenated to the image as its
            first channel (the backbone takes 4 channels; no spatial modulator).
        aligned_size: MaskTrack only: ``(height, width)`` the 4-channel input is zero-padded to
            (centred, floor offsets) before the backbone; the logits keep the input size.
        init: ``'original'`` (the reference initialisers, meant to be followed by ImageNet
            weights) or ``'he'`` (trainable conv kernels redrawn He-normal, for training from
            scratch; zero-initialised output layers keep their zeros).

    Variables are float32; computation runs in the compute dtype (``set_compute_dtype``); batch
    norm statistics, the loss and the returned logits are float32.
    """

    def __init__(self, backbone, head, visual_modulator=None, spatial_modulator=None, loss=None,
                 matching_modulator=None, train_seg=True, fix_bn=False, mod_early_conv=False,
                 weight_decay=2e-4, guide_as_input=False, aligned_size=None, init='original'):
        super().__init__('osmn')
        backbone, visual_modulator, spatial_modulator, init_cfgs = _split_init_cfgs(
            backbone=backbone, visual_modulator=visual_modulator,
            spatial_modulator=spatial_modulator)
        if guide_as_input and spatial_modulator is not None:
            raise BuildError('model.spatial_modulator must be None when model.guide_as_input is '
                             'set (MaskTrack feeds the guide as an input channel instead).')
        if aligned_size is not None and not guide_as_input:
            raise BuildError('model.aligned_size only applies with model.guide_as_input=True '
                             '(MaskTrack); remove it or set guide_as_input.')
        self.backbone = BACKBONES.build(backbone, dict(trainable=train_seg), key='model.backbone')
        layers = [layer for layer in self.backbone.modulatable_layers
                  if mod_early_conv or layer.name not in self.backbone.early_layers]
        self.visual_modulator = _build_optional(visual_modulator, layers, 'model.visual_modulator')
        self.spatial_modulator = _build_optional(spatial_modulator, layers,
                                                 'model.spatial_modulator')
        self.matching_modulator = _build_optional(matching_modulator, layers,
                                                  'model.matching_modulator')
        guidance = self.matching_modulator
        self.head = HEADS.build(head, dict(
            in_channels={**self.backbone.channels,
                         **(guidance.guidance_channels if guidance else {})},
            in_strides={**self.backbone.strides,
                        **(guidance.guidance_strides if guidance else {})},
            trainable=train_seg), key='model.head')
        self.loss_fn = LOSSES.build(loss or dict(type='ClassBalancedBCE'), key='model.loss')
        self.train_seg = train_seg
        self.fix_bn = fix_bn
        self.weight_decay = weight_decay
        self.guide_as_input = guide_as_input
        self.aligned_size = None if aligned_size is None else tuple(aligned_size)
        self.compute_dtype = tf.float32
        self.init_cfgs = init_cfgs
        self.shared_steps = self._count_shared_steps()
        self._functions = _FunctionCache()
        if init not in ('original', 'he'):
            raise BuildError(f"model.init must be 'original' or 'he', got {init!r}.")
        if init == 'he':
            _he_initialize(self.trainable_variables)
        self._prepared = None

    # ------------------------------------------------------------------ structure
    @property
    def modulators(self):
        """The enabled modulators (visual first, matching last)."""
        return [m for m in (self.visual_modulator, self.spatial_modulator,
                            self.matching_modulator) if m is not None]

    def ordered_children(self):
        return self.modulators + [self.backbone, self.head]

    def _count_shared_steps(self):
        """Number of leading backbone steps that no modulator touches (run once per frame),
        after checking that every layer a modulator targets is a backbone step."""
        modulated = {name for m in self.modulators for name in m.modulated_layers}
        names = [step.name for step in self.backbone.steps()]
        unknown = sorted(modulated - set(names))
        if unknown:
            raise BuildError(f'model: the modulators target {unknown}, which are not layers of '
                             f'the backbone ({", ".join(names)}); fix the modulator config.')
        if self.guide_as_input:
            return 0
        first = next((i for i, name in enumerate(names) if name in modulated), len(names))
        if self.matching_modulator is None:
            return first
        source = names.index(self.matching_modulator.source_layer)
        if first < source:
            raise BuildError(f'model: {names[first]} is modulated before the matching '
                             f'modulator\'s source layer {names[source]}, whose unmodulated output '
                             'all objects share; modulate only later layers (or pick an earlier '
                             'source_layer).')
        return source + 1  # the source layer runs unmodulated, then is modulated

    def init_weights(self):
        """Apply the sub-networks' ``init_cfg`` (pretrained weights); returns
        ``{config key: ImportReport}``. Called when a training run starts, not when resuming."""
        from osmnseg.models.pretrained import init_pretrained
        reports = {}
        for name, init_cfg in self.init_cfgs.items():
            key = f'model.{name}.init_cfg'
            reports[key] = init_pretrained(getattr(self, name), init_cfg, key)
        return reports

    def set_compute_dtype(self, dtype):
        """Choose the compute dtype ``'float32' | 'bfloat16' | 'float16'`` (before tracing)."""
        name = tf.as_dtype(dtype).name if not isinstance(dtype, str) else dtype
        if name not in COMPUTE_DTYPES:
            raise ConfigError(f'compute dtype {dtype!r} is not supported; use one of '
                              f'{", ".join(COMPUTE_DTYPES)}.')
        self.compute_dtype = tf.as_dtype(name)
        self._functions.clear()
        if self._prepared is not None:
            self._prepared = None
            self.prepare_inference_weights()

    @property
    def prepared_weights(self):
        """The :class:`PreparedSet` of :meth:`prepare_inference_weights` (``None`` before);
        not model variables: a SavedModel exporting inference must track its ``variables()``."""
        return self._prepared

    def prepare_inference_weights(self):
        """From now on, inference calls read the weights every module with a ``prepare(dtype)``
        method derives (conv + batch-norm blocks' folded kernels, the heads' projected side
        kernels) from variables of the compute dtype instead of deriving them in every call
        (lite bfloat16 480x864: ~4 ms of ~31 per frame). Each inference call first rewrites
        them if weights changed since: osmnseg's training passes, checkpoint loads and imports
        and online fine-tuning say so; code that assigns the model's variables itself calls
        :func:`osmnseg.models.layers.weights_changed` afterwards. The inference core and the
        benchmark call this; the set survives :meth:`set_compute_dtype`. Returns the
        :class:`PreparedSet` (the existing one when called again)."""
        if self._prepared is None:
            self._prepared = PreparedSet(
                prepared for module in self.submodules if hasattr(module, 'prepare')
                for prepared in module.prepare(self.compute_dtype))
            self._functions.clear()  # traced again, reading them
        return self._prepared

    @contextlib.contextmanager
    def _forward_pass(self, training):
        """The weights of a forward pass: a training pass changes them (batch-norm statistics
        now, the optimizer next); an inference pass of a prepared model refreshes stale prepared
        weights and reads them."""
        if training:
            weights_changed()
            yield
        elif self._prepared is None:
            yield
        else:
            self._prepared.refresh()
            with reading_prepared():
                yield

    # ------------------------------------------------------------------ forward (traceable)
    def _encode_guide(self, guide, training=False):
        if self.visual_modulator is None:
            return {}
        with self._forward_pass(training):
            modulation = Modulation(*self.visual_modulator(tf.cast(guide, self.compute_dtype),
                                                           training=training))
        return tf.nest.map_structure(lambda v: tf.cast(v, tf.float32), modulation).flatten()

    def _encode_frame(self, image, training=False):
        """The unmodulated layers of ``image``: ``{'size', 'x', 'features'}`` and, with a
        matching modulator, ``'embedding'`` (of its source layer's output)."""
        x, features = self._shared_layers(image, training, keep=self.head.in_features)
        shared = {'size': tf.shape(image)[1:3], 'x': x, 'features': features}
        if self.matching_modulator is not None:
            shared['embedding'] = self.matching_modulator.embedding(x)
        return shared

    def _shared_layers(self, image, training, keep=()):
        """``(x, features)``: the backbone steps no object changes, in the compute dtype."""
        return self.backbone(tf.cast(image, self.compute_dtype), training=training,
                             stop=self.shared_steps, keep=keep)

    def _embed(self, image, training=False):
        """``[B,h,w,D]`` matching embeddings of ``image`` (compute dtype)."""
        return self._encode_frame(image, training=training)['embedding']

    def _segment_shared(self, shared, spatial_guide, visual_params, training=False,
                        memory=None):
        """Logits of K objects; ``shared`` holds the unmodulated layers' outputs with a batch of
        1 (one frame, from ``_encode_frame``) or K. A batch of 1 is never copied K times: the
        first modulated layer still runs once and its modulation (``x * scale [K,C]``)
        broadcasts it to K; the head broadcasts the batch-1 features it reads. ``memory``
        (:class:`MatchingMemory`, K objects) is what a matching modulator compares with."""
        objects = tf.shape(spatial_guide if memory is None else memory.prev_mask)[0]
        x, features = shared['x'], dict(shared['features'])
        modulation = Modulation.unflatten(visual_params)
        if self.spatial_modulator is not None:  # inference: the float32 guide, see the method
            modulation = modulation.combined(
                Modulation(*self.spatial_modulator(tf.cast(spatial_guide, self.compute_dtype),
                                                   training=not self.fix_bn))
                if training else self.spatial_modulator.inference_modulation(
                    spatial_guide, self.compute_dtype))
        if self.matching_modulator is not None:
            memory = MatchingMemory(*[tf.cast(t, self.compute_dtype) for t in memory])
            matched, guidance = self.matching_modulator(shared['embedding'], memory,
                                                        training=training)
            modulation = modulation.combined(matched)
            x = self._modulate_source(x, modulation, features)
            features.update(guidance)
        if self.guide_as_input:
            guide = tf.cast(spatial_guide, self.compute_dtype)
            x = self._pad_to_aligned(tf.concat([guide, broadcast_batch(x, objects)], axis=-1))
        x, features = self.backbone(x, modulation.scales, modulation.shifts, training=training,
                                    start=self.shared_steps, keep=self.head.in_features,
                                    features=features)
        logits = self.head(features, shared['size'], training=training)
        return tf.cast(broadcast_batch(logits, objects), tf.float32)

    def _modulate_source(self, x, modulation, features):
        """The matching modulator's source layer output ``x`` (run unmodulated with the shared
        layers) modulated as the backbone would have; the head's copy is replaced."""
        name = self.matching_modulator.source_layer
        x = modulate(x, modulation.scales.get(name), modulation.shifts.get(name))
        if name in features:
            features[name] = x
        return x

    def _segment(self, image, spatial_guide, visual_params, training=False):
        with self._forward_pass(training):
            shared = self._encode_frame(image, training=training)
            return self._segment_shared(shared, spatial_guide, visual_params, training=training)

    def _track(self, image, visual_params, memory, extra, training=False):
        """Logits and the frame's embeddings of a matching model (see :meth:`track`)."""
        with self._forward_pass(training):
            shared = self._encode_frame(image, training=training)
            logits = self._segment_shared(shared, extra.get('spatial_guide'), visual_params,
                                          training=training, memory=memory)
            return {'logits': logits, 'embedding': tf.cast(shared['embedding'], tf.float32)}

    def _matching_batch(self, batch, training):
        """Training: the current frames' shared layers and the :class:`MatchingMemory` of the
        batch's annotated (``guide_image``) and previous (``prev_image``) frames. The memory
        frames' backbone features get no gradient (the embedding conv does)."""
        shared = self._encode_frame(batch['image'], training=training)
        images = tf.concat([batch['guide_image'], batch['prev_image']], axis=0)
        x, _ = self._shared_layers(images, training)
        embeddings = self.matching_modulator.embedding(tf.stop_gradient(x))
        ref_embedding, prev_embedding = tf.split(embeddings, 2, axis=0)
        return shared, MatchingMemory(ref_embedding, batch['guide_mask'], prev_embedding,
                                      batch['prev_mask'])

    def _pad_to_aligned(self, x):
        if self.aligned_size is None:
            return x
        pad_h = tf.maximum(self.aligned_size[0] - tf.shape(x)[1], 0)
        pad_w = tf.maximum(self.aligned_size[1] - tf.shape(x)[2], 0)
        return tf.pad(x, [[0, 0], [pad_h // 2, pad_h - pad_h // 2],
                          [pad_w // 2, pad_w - pad_w // 2], [0, 0]])

    # ------------------------------------------------------------------ public API
    def __call__(self, batch, training=False):
        """Logits ``[B,H,W,1]`` float32 for a batch dict with ``image``, ``guide`` and
        ``spatial_guide`` (see docs/architecture.md). Not compiled: call it inside your own
        ``tf.function`` (the training step)."""
        visual_params = self._encode_guide(batch.get('guide'), training=training)
        if self.matching_modulator is None:
            return self._segment(batch['image'], batch['spatial_guide'], visual_params,
                                 training=training)
        with self._forward_pass(training):
            shared, memory = self._matching_batch(batch, training)
            return self._segment_shared(shared, batch.get('spatial_guide'), visual_params,
                                        training=training, memory=memory)

    def encode_guide(self, guide, training=False):
        """Visual parameters ``{layer: [B,C] float32}`` of a normalised ``[B,224,224,3]`` guide
        (``{}`` without visual modulator). Compiled; traced once per dtype/training mode."""
        return self._functions.call(self._encode_guide, training, self.compute_dtype, guide)

    def segment(self, image, spatial_guide, visual_params, training=False):
        """Logits ``[K,H,W,1]`` float32 of ``image [B,H,W,3]`` for ``spatial_guide [K,H,W,1]``
        and ``visual_params {layer: [K,C]}`` from :meth:`encode_guide`, where B is K (one image
        per sample, as in training) or 1 (one frame, K objects: the layers no modulator
        touches run once, and the first modulated layer broadcasts the frame to the K
        objects; the same logits as K calls with one object each). One compiled call per
        frame, with unknown batch and spatial sizes: traced once per dtype/training mode.
        A model with a matching modulator segments with :meth:`track` instead."""
        if self.matching_modulator is not None:
            raise ConfigError('this model has a matching modulator: segment frames with '
                              'model.track(image, visual_params, memory), which also takes the '
                              'annotated and previous frames\' embeddings.')
        return self._functions.call(self._segment, training, self.compute_dtype, image,
                                    spatial_guide, visual_params)

    def embed(self, image):
        """``[B,h,w,D] float32`` matching embeddings of ``image [B,H,W,3]`` (the frame an
        object is annotated on); models with a matching modulator only. Compiled."""
        self._require_matching('embed')
        return tf.cast(self._functions.call(self._embed, False, self.compute_dtype, image),
                       tf.float32)

    def track(self, image, visual_params, memory, spatial_guide=None):
        """One frame of a matching model: K objects' logits and the frame's embeddings.

        Args:
            image: ``[1,H,W,3]`` normalised frame.
            visual_params: ``{layer: [K,C]}`` from :meth:`encode_guide` (``{}`` without visual
                modulator).
            memory: :class:`~osmnseg.models.modulators.matching.MatchingMemory` of the K
                objects (float32; ``prev_embedding`` batch 1).
            spatial_guide: ``[K,H,W,1]`` when the model also has a spatial modulator.

        Returns:
            ``{'logits': [K,H,W,1] float32, 'embedding': [1,h,w,D] float32}`` (the embedding is
            the next frame's ``prev_embedding``). Compiled; traced once per dtype.
        """
        self._require_matching('track')
        extra = {} if spatial_guide is None else {'spatial_guide': spatial_guide}
        return self._functions.call(self._track, False, self.compute_dtype, image,
                                    visual_params, MatchingMemory(*memory), extra)

    def _require_matching(self, method):
        if self.matching_modulator is None:
            raise ConfigError(f'model.{method}() needs a matching modulator '
                              '(model.matching_modulator in the config); this model has none.')

    def loss(self, logits, label):
        """The configured loss (default ``ClassBalancedBCE``) as a float32 scalar."""
        return self.loss_fn(logits, label)

    def regularization_loss(self):
        """``Σ weight_decay/2 · ΣW²`` over every L2-regularised kernel (frozen ones included)."""
        kernels = self.regularized_kernels()
        if not kernels:
            return tf.constant(0.0)
        return self.weight_decay * tf.add_n([tf.nn.l2_loss(k) for k in kernels])


def _he_initialize(variables):
    """Redraw every trainable conv kernel from He-normal (std sqrt(2 / fan_in)), except the
    kernels that start at zero (fc8 / modulator heads, whose zero start makes every scale 1).

    The original Normal(0, 0.001) init assumes ImageNet weights are loaded on top; from scratch
    it makes a 13-layer VGG's activations vanish, so training from scratch needs this."""
    for variable in variables:
        if variable.shape.rank != 4 or not bool(tf.reduce_any(variable != 0)):
            continue
        height, width, in_channels, _ = variable.shape
        depthwise = variable.name.startswith('depthwise_weights')  # [k, k, C, 1]: fan-in k*k
        fan_in = height * width * (1 if depthwise else in_channels)
        variable.assign(tf.random.normal(variable.shape, stddev=(2.0 / fan_in) ** 0.5))


def _split_init_cfgs(**configs):
    """The sub-network configs without their ``init_cfg`` entries, and ``{name: init_cfg}``
    of those that had one (the constructors never see ``init_cfg``)."""
    stripped, init_cfgs = [], {}
    for name, cfg in configs.items():
        if cfg is not None and cfg.get('init_cfg') is not None:
            init_cfgs[name] = cfg['init_cfg']
        if cfg is not None and 'init_cfg' in cfg:
            cfg = {k: v for k, v in cfg.items() if k != 'init_cfg'}
        stripped.append(cfg)
    return (*stripped, init_cfgs)


def _build_optional(cfg, layers, key):
    if cfg is None:
        return None
    return MODULATORS.build(cfg, dict(layers=layers), key=key)


def _relaxed_spec(t):
    """``TensorSpec`` of ``t`` with unknown batch and spatial sizes (channels and 1-D kept)."""
    shape = t.shape
    if shape.rank is not None and shape.rank >= 2:
        shape = [None] * (shape.rank - 1) + [shape[-1]]
    return tf.TensorSpec(shape, t.dtype)


class _FunctionCache:
    """``tf.function``s of the segmentor's methods, one per (method, training, dtype, signature).

    Kept out of ``tf.Module`` tracking on purpose (it holds no state worth saving).
    """

    def __init__(self):
        self._functions = {}

    def clear(self):
        self._functions.clear()

    def call(self, method, training, dtype, *args):
        args = tf.nest.map_structure(tf.convert_to_tensor, args)
        signature = tf.nest.map_structure(_relaxed_spec, args)
        key = (method.__name__, bool(training), dtype, repr(signature))
        if key not in self._functions:
            self._functions[key] = tf.function(
                functools.partial(method, training=bool(training)), input_signature=signature)
        return self._functions[key](*args)
