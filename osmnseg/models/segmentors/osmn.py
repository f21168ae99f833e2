"""The OSMN segmentor: backbone + visual / spatial modulators + head + loss (spec §1, §3)."""
import functools

import tensorflow as tf

from osmnseg.models.layers import Module, Modulation, broadcast_batch, modulate
from osmnseg.models.modulators.matching import MatchingMemory
from osmnseg.registry import BACKBONES, HEADS, LOSSES, MODULATORS, SEGMENTORS
from osmnseg.utils.errors import BuildError, ConfigError
from osmnseg.utils.precision import PRECISIONS


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
        self.inference_only = False  # True for a copy made by prepare_for_inference
        self.xla_kernels = True  # the device runs small XLA kernels (prepare_for_inference)
        self.shared_steps = self._count_shared_steps()
        self._functions = _FunctionCache()
        if init not in ('original', 'he'):
            raise BuildError(f"model.init must be 'original' or 'he', got {init!r}.")
        if init == 'he':
            _he_initialize(self.trainable_variables)

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
        """Choose the compute dtype ``'float32' | 'bfloat16' | 'float16'`` (before tracing).

        Raises:
            ConfigError: an unsupported dtype, or a model made by
                :meth:`prepare_for_inference` (prepare the trained model again instead).
        """
        if self.inference_only:
            raise ConfigError('this is a model prepared for inference in '
                              f'{self.compute_dtype.name}; call prepare_for_inference(dtype) on '
                              'the trained model for another dtype.')
        self.compute_dtype = tf.as_dtype(_checked_dtype(dtype))
        self._functions.clear()

    def prepare_for_inference(self, dtype=None, xla_kernels=None):
        """The model for inference passes, made once (the idea of mmcv's ``fuse_conv_bn``).

        An immutable copy of this model (:meth:`Module.inference_copy`) whose weights are
        constants, with what every inference call would otherwise derive from them held as
        constants of ``dtype`` too: conv + batch-norm blocks folded into one convolution, the
        heads' side kernels projected by their fuse weights (lite bfloat16 480x864: ~4 ms of
        ~31 per frame). It is a snapshot: after this model's weights change (training steps,
        a checkpoint load, online fine-tuning), prepare again. This model is unchanged and
        keeps training; the copy refuses training passes.

        Args:
            dtype: compute dtype of the copy (default: this model's ``compute_dtype``).
            xla_kernels: whether the device runs small XLA kernels (the fused modulation of
                the spatial guide); default: this model's ``xla_kernels`` (True unless
                ``init_segmentor`` set it from the device's ``xla_kernels``).

        Returns:
            an inference-only :class:`OSMN` (``inference_only`` is True) with the same
            ``encode_guide`` / ``segment`` / ``embed`` / ``track``.
        """
        if self.inference_only:
            raise ConfigError('this model is already prepared for inference; prepare the '
                              'trained model instead.')
        dtype = tf.as_dtype(_checked_dtype(dtype or self.compute_dtype))
        return self.inference_copy(dtype, self.xla_kernels if xla_kernels is None
                                   else xla_kernels)

    def freeze(self, dtype, xla_kernels):
        """The inference copy's own state: its dtype, fresh compiled functions, no training."""
        self.compute_dtype = dtype
        self.inference_only = True
        self._functions = _FunctionCache()

    def _check_training(self, training):
        if training and self.inference_only:
            raise ConfigError('a model prepared for inference cannot run training passes; train '
                              'the model it was prepared from, then prepare it again.')

    # ------------------------------------------------------------------ forward (traceable)
    def _encode_guide(self, guide, training=False):
        if self.visual_modulator is None:
            return {}
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
        x = modulate(x, modulation.scales.get(name), modulation.shifts.get(name),
                     fused=self.backbone.fused_modulation)
        if name in features:
            features[name] = x
        return x

    def _segment(self, image, spatial_guide, visual_params, training=False):
        shared = self._encode_frame(image, training=training)
        return self._segment_shared(shared, spatial_guide, visual_params, training=training)

    def _track(self, image, visual_params, memory, extra, training=False):
        """Logits and the frame's embeddings of a matching model (see :meth:`track`)."""
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
        self._check_training(training)
        visual_params = self._encode_guide(batch.get('guide'), training=training)
        if self.matching_modulator is None:
            return self._segment(batch['image'], batch['spatial_guide'], visual_params,
                                 training=training)
        shared, memory = self._matching_batch(batch, training)
        return self._segment_shared(shared, batch.get('spatial_guide'), visual_params,
                                    training=training, memory=memory)

    def encode_guide(self, guide, training=False):
        """Visual parameters ``{layer: [B,C] float32}`` of a normalised ``[B,224,224,3]`` guide
        (``{}`` without visual modulator). Compiled; traced once per dtype/training mode."""
        self._check_training(training)
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
        self._check_training(training)
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


def _checked_dtype(dtype):
    """The name of a supported compute dtype (a name or ``tf.DType``)."""
    name = dtype if isinstance(dtype, str) else tf.as_dtype(dtype).name
    if name not in PRECISIONS:
        raise ConfigError(f'compute dtype {dtype!r} is not supported; use one of '
                          f'{", ".join(PRECISIONS)}.')
    return name


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
            # no AutoGraph: the methods hold no tensor-dependent Python control flow, and
            # converting them took half of a matching model's first-frame tracing (~1.5 s)
            self._functions[key] = tf.function(
                functools.partial(method, training=bool(training)), input_signature=signature,
                autograph=False)
        return self._functions[key](*args)
