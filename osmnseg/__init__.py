"""osmnseg: semi-supervised video object segmentation with OSMN on TensorFlow 2."""
from osmnseg.version import __version__

__all__ = ['__version__']
