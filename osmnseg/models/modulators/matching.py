"""Matching modulator: per-pixel correspondence of the current frame with the annotated frame
(global) and the previous frame (local window), turned into shifts of the later backbone
layers and a guidance map the head reads (docs/models.md, "The matching modulator").

Where OSMN's visual modulator sees one appearance vector per object and its spatial modulator
one Gaussian of the previous mask, this modulator compares every pixel's embedding with every
pixel of the annotated frame (nearest neighbour among the object's pixels and among the rest,
FEELVOS's global matching) and with the previous frame's pixels within a window (local
matching), so a thin or deforming object keeps its own pixels and a look-alike elsewhere in
the frame has a closer background match than object match.
"""
from typing import NamedTuple

import tensorflow as tf

from osmnseg.models.layers import Conv2D, Modulation, ceil_valid_avg_pool, initializers
from osmnseg.models.modulators.base import Modulator
from osmnseg.registry import MODULATORS
from osmnseg.utils.errors import BuildError

GUIDANCE_FEATURE = 'matching'  # the key of the guidance map in the features the head reads


class MatchingMemory(NamedTuple):
    """What the matching modulator compares the current frame with.

    Fields (``K`` objects; ``h x w`` the embedding grid of the working size ``H x W``):
        ref_embedding: ``[K,h',w',D]`` embeddings of each object's annotated frame.
        ref_mask: ``[K,H',W',1]`` float 0/1 mask of the object in that frame (working size).
        prev_embedding: ``[1 or K,h,w,D]`` embeddings of the previous frame.
        prev_mask: ``[K,H,W,1]`` float 0/1 mask of the object in the previous frame.
    """

    ref_embedding: tf.Tensor
    ref_mask: tf.Tensor
    prev_embedding: tf.Tensor
    prev_mask: tf.Tensor


@MODULATORS.register_module()
class MatchingModulator(Modulator):
    """Global and local nearest-neighbour matching -> per-pixel shifts + a guidance map.

    ::

        source layer output [B,h,w,C] (unmodulated, shared by all objects)
            └─ embed: 1x1 conv -> D, L2-normalised  ──► e [B,h,w,D]
        e vs ref embeddings, ref mask   ─► global fg / bg best cosine similarity [K,h,w,2]
        e vs prev embeddings (window)   ─► local fg / bg best cosine similarity  [K,h,w,2]
        previous mask, pooled to h x w  ─► prior                                 [K,h,w,1]
            └─ 3x3 conv ReLU, 3x3 conv ReLU ──► guidance g [K,h,w,hidden] (the head reads it)
                  └─ per modulated layer: pool to its stride, 1x1 conv ──► shift [K,h_l,w_l,C_l]

    A pixel of a mask cell counts as object in proportion to the object's share of the cell:
    its similarity is lowered by ``mask_penalty * (1 - share)`` for the object match and by
    ``mask_penalty * share`` for the background match, so thin objects (cells partly covered)
    still match, and an object absent from the window gets a similarity below -1.

    Args:
        layers: the backbone's modulatable layers (passed by the segmentor).
        source_layer: the layer whose unmodulated output is embedded; it and every later layer
            of ``layers`` are modulated.
        embed_channels: D.
        hidden_channels: channels of the guidance map.
        local_radius: the local window is ``(2r+1)^2`` cells of the embedding grid.
        mask_penalty: see above.
        global_pool: the annotated frame's embeddings (re-normalised) and mask shares are
            average-pooled over ``global_pool x global_pool`` cells for global matching (1:
            every cell): the product with every pixel shrinks by ``global_pool^2``.
        scope: name scope.

    Call: ``modulator(embedding, memory, training)`` -> ``(Modulation, guidance)``; see
    :meth:`__call__`.
    """

    def __init__(self, layers, source_layer='Conv2d_5_pointwise', embed_channels=64,
                 hidden_channels=64, local_radius=4, mask_penalty=2.0, global_pool=1,
                 scope='modulator_match'):
        names = [layer.name for layer in layers]
        if source_layer not in names:
            raise BuildError(f'model.matching_modulator.source_layer={source_layer!r} is not a '
                             f'modulatable backbone layer ({", ".join(names)}); pick one of them '
                             '(add it to the backbone\'s modulated_layers).')
        super().__init__(layers[names.index(source_layer):], scope)
        self.source_layer = source_layer
        self.source_stride = self.layers[0].stride
        self.embed_channels = int(embed_channels)
        self.hidden_channels = int(hidden_channels)
        self.local_radius = int(local_radius)
        self.mask_penalty = float(mask_penalty)
        self.global_pool = int(global_pool)
        for layer in self.layers:
            if layer.stride % self.source_stride:
                raise BuildError(f'matching modulator: the stride of {layer.name} '
                                 f'({layer.stride}) is not a multiple of the source layer\'s '
                                 f'({self.source_stride}).')
        init = initializers.truncated_normal(0.09)
        self.embed = Conv2D('embed', self.layers[0].channels, self.embed_channels, 1,
                            kernel_init=initializers.truncated_normal(0.05))
        self.guide1 = Conv2D('guide1', 5, self.hidden_channels, 3, activation='relu',
                             kernel_init=init)
        self.guide2 = Conv2D('guide2', self.hidden_channels, self.hidden_channels, 3,
                             activation='relu', kernel_init=initializers.truncated_normal(0.05))
        self.shifts = [Conv2D(f'shift_{layer.name}', self.hidden_channels, layer.channels, 1,
                              kernel_init=initializers.zeros) for layer in self.layers]

    @property
    def guidance_channels(self):
        """``{feature name: channels}`` of the guidance map the head may read."""
        return {GUIDANCE_FEATURE: self.hidden_channels}

    @property
    def guidance_strides(self):
        """``{feature name: stride}`` of the guidance map."""
        return {GUIDANCE_FEATURE: self.source_stride}

    def embedding(self, features):
        """``[B,h,w,D]`` unit-length embeddings (in ``features``' dtype) of the source layer's
        unmodulated output ``features [B,h,w,C]``."""
        return tf.math.l2_normalize(self.embed(features), axis=-1, epsilon=1e-12)

    def __call__(self, embedding, memory, training=False):
        """Shifts of the modulated layers and the guidance map of K objects.

        Args:
            embedding: ``[1 or K,h,w,D]`` current frame (:meth:`embedding`).
            memory: :class:`MatchingMemory` (embeddings in ``embedding``'s dtype).
            training: unused (no batch norm); kept for the modulator contract.

        Returns:
            ``(Modulation({}, {layer: [K,h_l,w_l,C_l]}), {'matching': [K,h,w,hidden]})`` in
            ``embedding``'s dtype.
        """
        dtype = embedding.dtype
        size = tf.shape(embedding)[1:3]
        ref_embedding = memory.ref_embedding
        ref_share = _cell_share(memory.ref_mask, self.source_stride, tf.shape(ref_embedding)[1:3])
        if self.global_pool > 1:
            ref_embedding = tf.math.l2_normalize(
                ceil_valid_avg_pool(ref_embedding, self.global_pool), axis=-1, epsilon=1e-12)
            ref_share = ceil_valid_avg_pool(ref_share, self.global_pool)
        prev_share = _cell_share(memory.prev_mask, self.source_stride, size)
        global_maps = self._global_matching(embedding, ref_embedding, tf.cast(ref_share, dtype))
        local_maps = self._local_matching(embedding, memory.prev_embedding,
                                          tf.cast(prev_share, dtype))
        maps = tf.concat([global_maps, local_maps, tf.cast(prev_share, dtype)], axis=-1)
        guidance = self.guide2(self.guide1(maps))
        shifts, pooled, stride = {}, guidance, self.source_stride
        for layer, conv in zip(self.layers, self.shifts):
            if layer.stride > stride:
                pooled = ceil_valid_avg_pool(pooled, layer.stride // stride)
                stride = layer.stride
            shifts[layer.name] = conv(pooled)
        return Modulation({}, shifts), {GUIDANCE_FEATURE: guidance}

    def _global_matching(self, embedding, ref_embedding, ref_share):
        """``[K,h,w,2]``: each pixel's best similarity to the object's / the other pixels of
        its annotated frame. The penalties ride in the matrix product (a constant-1 channel
        of the pixels meets a penalty channel of the references), so one product of the
        pixels with the object-penalised and the background-penalised references and one
        maximum give both maps."""
        objects = tf.shape(ref_embedding)[0]
        height, width = tf.shape(embedding)[1], tf.shape(embedding)[2]
        pixels = tf.reshape(embedding, [tf.shape(embedding)[0], -1, self.embed_channels])
        pixels = tf.broadcast_to(pixels, [objects, height * width, self.embed_channels])
        pixels = tf.concat([pixels, tf.ones_like(pixels[..., :1])], axis=-1)
        refs = tf.reshape(ref_embedding, [objects, -1, self.embed_channels])
        share = tf.reshape(ref_share, [objects, -1, 1])
        penalised = tf.concat([tf.concat([refs, -self.mask_penalty * (1.0 - share)], -1),
                               tf.concat([refs, -self.mask_penalty * share], -1)], axis=1)
        similarity = tf.matmul(pixels, penalised, transpose_b=True)  # [K, h*w, 2*h'*w']
        best = tf.reduce_max(tf.reshape(similarity, [objects, height * width, 2, -1]), axis=-1)
        return tf.reshape(best, [objects, height, width, 2])

    def _local_matching(self, embedding, prev_embedding, prev_share):
        """``[K,h,w,2]``: each pixel's best similarity to the object's / the other pixels of
        the previous frame within ``local_radius`` cells (cells outside the frame never
        match)."""
        window = 2 * self.local_radius + 1
        similarity = self._local_similarity(embedding, prev_embedding)  # [1|K,h,w,window^2]
        share = _patches(prev_share, window)  # [K, h, w, window^2]
        inside = _patches(tf.ones_like(prev_share[:1]), window)
        similarity = similarity - 2.0 * self.mask_penalty * (1.0 - inside)
        object_best = tf.reduce_max(similarity - self.mask_penalty * (1.0 - share), axis=-1)
        background_best = tf.reduce_max(similarity - self.mask_penalty * share, axis=-1)
        return tf.stack([object_best, background_best], axis=-1)

    def _local_similarity(self, embedding, prev_embedding):
        """``[B,h,w,(2r+1)^2]`` cosine similarity of every cell with the previous frame's cells
        at the displacements ``(dy, dx)`` of the window (row-major, as ``_patches``; 0 outside
        the frame). Per row shift ``dy``, one product of each row's cells with the shifted
        row's cells gives every ``dx`` at once: the band ``|dx| <= r`` around the diagonal of
        the ``n x n`` product (n = w + 2r) is read by flattening it and viewing it as
        ``n x (n + 1)``, where the band lines up as the first ``2r + 1`` columns. Small dense
        matrix products instead of a ``(2r+1)^2``-fold copy of the embeddings (bf16 384x672:
        4.4 ms against 42 ms for the copy)."""
        radius = self.local_radius
        height, width = tf.shape(embedding)[1], tf.shape(embedding)[2]
        size = width + 2 * radius
        current = tf.pad(embedding, [[0, 0], [0, 0], [radius, radius], [0, 0]])
        previous = tf.pad(prev_embedding, [[0, 0], [radius, radius], [radius, radius], [0, 0]])
        rows = []
        for dy in range(2 * radius + 1):
            products = tf.matmul(current, previous[:, dy:dy + height], transpose_b=True)
            flat = tf.reshape(products, tf.concat([tf.shape(products)[:2], [-1]], 0))
            flat = tf.pad(flat, [[0, 0], [0, 0], [radius, size - radius]])
            skewed = tf.reshape(flat, tf.concat([tf.shape(flat)[:2], [size, size + 1]], 0))
            rows.append(skewed[:, :, radius:radius + width, :2 * radius + 1])  # [B,h,w,dx]
        similarity = tf.stack(rows, axis=3)  # [B, h, w, dy, dx]
        return tf.reshape(similarity, tf.concat([tf.shape(similarity)[:3], [-1]], 0))


def _cell_share(mask, stride, size):
    """``[K,h,w,1]`` float32 share of each embedding cell covered by ``mask [K,H,W,1]``
    (average pool over ``stride x stride`` cells; ``size = (h, w)`` the grid it must fill)."""
    share = ceil_valid_avg_pool(tf.cast(mask, tf.float32), stride)
    return share[:, :size[0], :size[1]]


def _patches(x, window):
    """``[B,h,w,window^2 * C]``: every cell's ``window x window`` neighbourhood of
    ``x [B,h,w,C]`` (zeros outside the map), row-major, channels innermost: the values of
    ``tf.image.extract_patches`` with ``'SAME'`` padding, as one shifted slice of the padded map
    per offset: tf2onnx fails on ExtractImagePatches here and LiteRT's built-in ops lack it
    (tools/export.py, docs/deploy.md), and the slices are 1.4-2.6x faster on CPU (1-2
    objects, 48x84 grid, window 9, float32 and bfloat16; 11 ms against 24 for 2 objects in
    float32)."""
    radius = window // 2
    size = tf.concat([[-1], tf.shape(x)[1:3], [-1]], 0)  # one size for every slice: a
    padded = tf.pad(x, [[0, 0], [radius, radius], [radius, radius], [0, 0]])  # fast trace
    return tf.concat([tf.slice(padded, [0, dy, dx, 0], size)
                      for dy in range(window) for dx in range(window)], axis=-1)
