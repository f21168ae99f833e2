"""``ObjectMemory``: what the next frame needs of each object (visual parameters, mask, and for
a matching model its annotated frame's embeddings and the previous frame's)."""
import tensorflow as tf


class ObjectMemory:
    """Per-object visual parameters and previous binary masks, in the order objects came.

    Its size does not grow with the video: one annotated frame per object and one previous
    frame in all.

    Attributes:
        params: ``{obj: visual parameters}`` as ``model.encode_guide`` returns them (batch 1).
        masks: ``{obj: [h, w] uint8 0/1}`` the object's last mask at working size.
        references: matching models: ``{obj: (embedding [1,h',w',D], mask [1,H,W,1])}`` of
            the frame the object was encoded from (float32 tensors, mask at working size).
        prev_embedding: matching models: ``[1,h,w,D] float32`` of the previous frame.
    """

    def __init__(self):
        self.params = {}
        self.masks = {}
        self.references = {}
        self.prev_embedding = None
        self._stacked = None, None  # (objects, stacked params), reused while unchanged
        self._stacked_references = None, None

    @property
    def objects(self):
        """The known objects, in the order they were added."""
        return list(self.params)

    def __contains__(self, obj):
        return obj in self.params

    def set_params(self, obj, params, reference=None):
        """Add an object, or replace its visual parameters and (matching models) its
        ``reference = (embedding, mask)`` (it keeps its position)."""
        self.params[obj] = params
        self._stacked = None, None
        if reference is not None:
            self.references[obj] = reference
            self._stacked_references = None, None

    def remove(self, obj):
        del self.params[obj], self.masks[obj]
        self.references.pop(obj, None)
        self._stacked = None, None
        self._stacked_references = None, None

    def stacked_params(self, objects):
        """Visual parameters of ``objects`` stacked along the batch axis (``[K, C]`` leaves),
        cached until the objects or their parameters change."""
        objects = tuple(objects)
        if self._stacked[0] != objects:
            stacked = tf.nest.map_structure(lambda *leaves: tf.concat(leaves, 0),
                                            *[self.params[obj] for obj in objects])
            self._stacked = objects, stacked
        return self._stacked[1]

    def stacked_references(self, objects):
        """``(embeddings [K,h',w',D], masks [K,H,W,1])`` of ``objects``' annotated frames,
        cached until the objects or their references change."""
        objects = tuple(objects)
        if self._stacked_references[0] != objects:
            embeddings, masks = zip(*[self.references[obj] for obj in objects])
            self._stacked_references = objects, (tf.concat(embeddings, 0), tf.concat(masks, 0))
        return self._stacked_references[1]
