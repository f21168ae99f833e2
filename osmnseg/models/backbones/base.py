"""Backbone base: a network described as an ordered list of named steps.

A step is one layer (conv, conv+BN, pool) with a name, an output channel count and an output
stride. The base class runs any contiguous range of steps, applies modulation after the steps
that a modulator targets, and keeps the outputs the head asks for. Running a range is what lets
the segmentor compute the unmodulated prefix of the network once per frame for all objects.
"""
import collections

from osmnseg.models.layers import ModulatableLayer, Module, modulate

Step = collections.namedtuple('Step', ['name', 'fn', 'channels', 'stride', 'modulatable'])
Step.__doc__ = """One backbone step: ``fn(x, training) -> x``; ``modulatable`` marks the layers a
modulator may transform (after the layer's activation)."""


class Backbone(Module):
    """Base class of backbones.

    Subclasses define ``steps()``, returning the network as a list of :class:`Step` (built on
    demand, so it is cheap and holds no state), and may set ``early_layers``: the modulatable
    layers that are only modulated when the segmentor's ``mod_early_conv`` is set.

    Call: ``backbone(x, scales, shifts, training, start, stop, keep, features)``:

    * ``x``: ``[B,H,W,Cin]`` input of step ``start`` (the image when ``start == 0``).
    * ``scales`` / ``shifts``: ``{layer_name: tensor}``; after step ``name`` the output becomes
      ``f * scales[name] + shifts[name]`` (scales ``[B,C]``, shifts ``[B,h,w,C]`` or ``[B,C]``).
    * ``start``, ``stop``: the range of steps to run (Python slice bounds).
    * ``keep``: names of step outputs to return (after modulation); ``features`` is a dict of
      outputs kept by an earlier range, extended and returned.

    Returns ``(x, features)``: the output of the last step run and the kept outputs.
    """

    early_layers = ()
    fused_modulation = True  # GuideShifts as one XLA kernel (False: an inference copy for a
    #                          device without XLA kernels, see Module.inference_copy)

    def freeze(self, dtype, xla_kernels):
        """An inference copy fuses the modulation only where the device runs XLA kernels."""
        self.fused_modulation = bool(xla_kernels)

    @property
    def modulatable_layers(self):
        """``[ModulatableLayer(name, channels, stride)]`` in network order."""
        return [ModulatableLayer(s.name, s.channels, s.stride) for s in self.steps()
                if s.modulatable]

    @property
    def channels(self):
        """``{step_name: output channels}``."""
        return {s.name: s.channels for s in self.steps()}

    @property
    def strides(self):
        """``{step_name: output stride}`` relative to the input."""
        return {s.name: s.stride for s in self.steps()}

    def step_index(self, name):
        """Position of the step called ``name``."""
        return [s.name for s in self.steps()].index(name)

    def __call__(self, x, scales=None, shifts=None, training=False, start=0, stop=None, keep=(),
                 features=None):
        scales = scales or {}
        shifts = shifts or {}
        features = dict(features or {})
        for step in self.steps()[start:stop]:
            x = step.fn(x, training)
            if step.name in scales or step.name in shifts:
                x = modulate(x, scales.get(step.name), shifts.get(step.name),
                             fused=self.fused_modulation)
            if step.name in keep:
                features[step.name] = x
        return x, features


def scale_channels(channels, multiplier, minimum=1):
    """Channel count scaled by a width multiplier: ``max(int(channels * multiplier), minimum)``."""
    return max(int(channels * multiplier), minimum)
