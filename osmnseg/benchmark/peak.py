"""Micro-benchmark of the machine's practical convolution peak, measured in the same run.

The reference op is a 3x3 SAME convolution 256 -> 256 channels on a 120x214 map (batch 1), the
shape of OSMN-VGG16's conv3_2 at 480x854. Its achieved GFLOP/s, in the dtype being benchmarked,
is the "peak" that model throughputs are divided by. Because the model and this op are timed in
the same process, interleaved (:class:`ConvPeak` collects samples before and after the model),
the ratio stays stable when other processes load the machine.
"""
import numpy as np
import tensorflow as tf

from osmnseg.benchmark.timing import time_calls

REFERENCE_SHAPE = (120, 214, 256, 256)  # height, width, in channels, out channels


def conv_flops(height, width, in_channels, out_channels, kernel_size=3, batch=1):
    """FLOPs (2 x multiply-adds) of a SAME, stride-1 convolution."""
    return 2 * batch * height * width * out_channels * kernel_size * kernel_size * in_channels


class ConvPeak:
    """Timed samples of the reference convolution in one dtype.

    Args:
        dtype: ``'float32' | 'bfloat16' | 'float16'``.
        shape: ``(H, W, Cin, Cout)`` of the convolution.
        kernel_size: square kernel size.

    Call :meth:`sample` one or more times (e.g. before and after timing a model); ``gflops`` is
    computed from the median of all samples.
    """

    def __init__(self, dtype='float32', shape=REFERENCE_SHAPE, kernel_size=3):
        height, width, cin, cout = shape
        self.dtype = tf.as_dtype(dtype)
        self.flops = conv_flops(height, width, cin, cout, kernel_size)
        gen = tf.random.Generator.from_seed(0)
        self._x = tf.cast(gen.normal([1, height, width, cin]), self.dtype)
        self._w = tf.cast(gen.normal([kernel_size, kernel_size, cin, cout], stddev=0.05),
                          self.dtype)
        conv = tf.function(lambda x, w: tf.reduce_sum(tf.nn.conv2d(x, w, 1, 'SAME')[0, 0, 0]),
                           autograph=False)
        self._run = lambda: conv(self._x, self._w).numpy()
        self._run()  # trace + oneDNN primitive creation
        self.seconds = []

    def sample(self, repeats=5, min_seconds=0.0):
        """Time ``repeats`` calls, then more until ``min_seconds`` have passed; returns ``self``."""
        self.seconds.extend(time_calls(self._run, repeats))
        while sum(self.seconds[-repeats:]) < min_seconds:
            self.seconds.extend(time_calls(self._run, 1))
        return self

    @property
    def gflops(self):
        """Achieved GFLOP/s of the median sample."""
        if not self.seconds:
            raise ValueError('ConvPeak.gflops needs at least one sample(); call sample() first')
        return self.flops / float(np.median(self.seconds)) / 1e9


def measure_conv_peak(dtype='float32', repeats=5, shape=REFERENCE_SHAPE):
    """Practical conv peak in GFLOP/s of this machine in ``dtype`` (one measurement)."""
    return ConvPeak(dtype, shape).sample(repeats).gflops
