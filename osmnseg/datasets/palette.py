"""Index PNG I/O for data-set code; the implementation is :mod:`osmnseg.io.palette`."""
from osmnseg.io.palette import DAVIS_PALETTE, INDEX_MODES, load_index_png, save_palette_png

__all__ = ['DAVIS_PALETTE', 'INDEX_MODES', 'load_index_png', 'save_palette_png']
