"""The bottom layer: every file and video format osmnseg reads or writes, and the mask
operations every package above shares.

* :mod:`osmnseg.io.images`: frames as RGB arrays, image sizes from headers, size checks.
* :mod:`osmnseg.io.palette`: index PNGs (DAVIS / YouTube-VOS annotations and results).
* :mod:`osmnseg.io.coco_masks`: COCO ``segmentation`` entries as binary masks.
* :mod:`osmnseg.io.folders`: the frames and annotations of a folder, split lists, safe names.
* :mod:`osmnseg.io.video`: video frames in, animated GIFs and MP4s out (the ``video`` extra).
* :mod:`osmnseg.io.masks`: object ids, object selection, nearest resize, disk dilation.

Nothing here imports TensorFlow or another osmnseg package but ``osmnseg.utils``.
"""
