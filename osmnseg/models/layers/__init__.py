"""Layer building blocks of the OSMN networks (TF2 ``tf.Module``s over ``tf.nn`` ops, NHWC)."""
from osmnseg.models.layers.activations import activate
from osmnseg.models.layers.base import Module, join_scope
from osmnseg.models.layers.conv import Conv2D, DepthwiseConv2D
from osmnseg.models.layers.dropout import Dropout
from osmnseg.models.layers.modulation import (GuideShift, ModulatableLayer, Modulation, as_map,
                                              broadcast_batch, modulate)
from osmnseg.models.layers.norm import BatchNorm, ConvBN
from osmnseg.models.layers.pooling import avg_pool, ceil_valid_avg_pool, max_pool
from osmnseg.models.layers.resize import (BilinearUpsample, bilinear_filter_1d, bilinear_kernel,
                                          center_crop, crop_offsets, legacy_resize_bilinear)

__all__ = [
    'activate', 'Module', 'join_scope', 'Conv2D', 'DepthwiseConv2D', 'Dropout',
    'GuideShift', 'ModulatableLayer', 'Modulation', 'as_map', 'broadcast_batch', 'modulate', 'BatchNorm', 'ConvBN', 'avg_pool',
    'ceil_valid_avg_pool', 'max_pool', 'BilinearUpsample', 'bilinear_filter_1d', 'bilinear_kernel', 'center_crop',
    'crop_offsets', 'legacy_resize_bilinear'
]
