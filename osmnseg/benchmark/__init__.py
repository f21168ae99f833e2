"""osmnseg.benchmark: speed and memory measurements behind ``tools/benchmark.py``.

* ``flops``: analytic FLOPs of a traced graph (conv / depthwise / transposed conv / matmul).
* ``peak``: the machine's practical 3x3-conv peak, measured in the same run.
* ``timing``, ``memory``: timing statistics and resident memory.
* ``inference``, ``training``, ``video``, ``agreement``: the four benchmark modes.
* ``profile``: a per-op profile of extra frames / iterations (``--profile``).
* ``kernel_floor``: every op of a training step's graph timed alone (``--kernel-floor``).
* ``report``: table and JSON output.
* ``original``, ``compare``: the original OSMN code (a user's video_seg checkout, patched in a
  temporary copy, ``tf.compat.v1`` + tf_slim) timed beside osmnseg: ``--compare-original``.

See docs/benchmark.md for the command line and the recorded results.
"""
from osmnseg.benchmark.flops import frame_flops, graph_flops, guide_flops, trace_flops, train_flops
from osmnseg.benchmark.peak import ConvPeak, measure_conv_peak
from osmnseg.benchmark.report import (kernel_floor_table, machine_info, profile_table,
                                      results_table, write_json)

__all__ = ['frame_flops', 'graph_flops', 'guide_flops', 'trace_flops', 'train_flops',
           'ConvPeak', 'measure_conv_peak', 'kernel_floor_table', 'machine_info',
           'profile_table', 'results_table', 'write_json']
