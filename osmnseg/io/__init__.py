"""The bottom layer's file formats and mask operations, shared by every package above.

* :mod:`osmnseg.io.palette`: index PNGs (DAVIS / YouTube-VOS annotations and results).
* :mod:`osmnseg.io.masks`: object selection, nearest resize, disk dilation.

Nothing here imports TensorFlow or another osmnseg package but ``osmnseg.utils``.
"""
