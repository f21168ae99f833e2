"""Overlays of index masks on frames."""
import numpy as np
from PIL import Image

from osmnseg.apis.visualization import overlay_mask, save_overlay
from osmnseg.io.palette import DAVIS_PALETTE

from segmenter_inputs import box_mask


def test_overlay_blends_object_colours_and_outlines_objects():
    image = np.full((20, 30, 3), 100, np.uint8)
    mask = box_mask((20, 30), (5, 5, 15, 15), 2)
    out = overlay_mask(image, mask, alpha=0.5)
    np.testing.assert_array_equal(out[0, 0], image[0, 0])  # background untouched
    np.testing.assert_array_equal(out[10, 10], np.rint((100 + DAVIS_PALETTE[2]) / 2))
    np.testing.assert_array_equal(out[5, 10], DAVIS_PALETTE[2])  # boundary in full colour


def test_overlay_of_a_smaller_mask_equals_that_of_its_nearest_upscale():
    image = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    mask = box_mask((20, 30), (4, 6, 16, 18), 3)  # even edges: the 2x2 blocks are whole
    np.testing.assert_array_equal(overlay_mask(image, mask[::2, ::2]), overlay_mask(image, mask))


def test_overlay_png(tmp_path):
    frame = np.full((40, 60, 3), 40, np.uint8)
    mask = box_mask((40, 60), (0, 0, 9, 9), 1)
    save_overlay(str(tmp_path / 'a' / 'f.png'), frame, mask)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / 'a' / 'f.png')),
                                  overlay_mask(frame, mask))
