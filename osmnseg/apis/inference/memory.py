"""``ObjectMemory``: what the next frame needs of each object (visual parameters, mask)."""
import tensorflow as tf


class ObjectMemory:
    """Per-object visual parameters and previous binary masks, in the order objects came.

    Attributes:
        params: ``{obj: visual parameters}`` as ``model.encode_guide`` returns them (batch 1).
        masks: ``{obj: [h, w] uint8 0/1}`` the object's last mask at working size.
    """

    def __init__(self):
        self.params = {}
        self.masks = {}
        self._stacked = None, None  # (objects, stacked params), reused while unchanged

    @property
    def objects(self):
        """The known objects, in the order they were added."""
        return list(self.params)

    def __contains__(self, obj):
        return obj in self.params

    def set_params(self, obj, params):
        """Add an object, or replace its visual parameters (it keeps its position)."""
        self.params[obj] = params
        self._stacked = None, None

    def remove(self, obj):
        del self.params[obj], self.masks[obj]
        self._stacked = None, None

    def stacked_params(self, objects):
        """Visual parameters of ``objects`` stacked along the batch axis (``[K, C]`` leaves),
        cached until the objects or their parameters change."""
        objects = tuple(objects)
        if self._stacked[0] != objects:
            stacked = tf.nest.map_structure(lambda *leaves: tf.concat(leaves, 0),
                                            *[self.params[obj] for obj in objects])
            self._stacked = objects, stacked
        return self._stacked[1]
