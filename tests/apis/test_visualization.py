"""Overlays, GIFs and the optional video extra."""
import importlib.util

import numpy as np
import pytest
from PIL import Image

from osmnseg.apis.visualization import overlay_mask, save_overlay, write_gif, write_mp4
from osmnseg.io.palette import DAVIS_PALETTE
from osmnseg.utils.errors import ConfigError

from segmenter_inputs import box_mask


def test_overlay_blends_object_colours_and_outlines_objects():
    image = np.full((20, 30, 3), 100, np.uint8)
    mask = box_mask((20, 30), (5, 5, 15, 15), 2)
    out = overlay_mask(image, mask, alpha=0.5)
    np.testing.assert_array_equal(out[0, 0], image[0, 0])  # background untouched
    np.testing.assert_array_equal(out[10, 10], np.rint((100 + DAVIS_PALETTE[2]) / 2))
    np.testing.assert_array_equal(out[5, 10], DAVIS_PALETTE[2])  # boundary in full colour
    small = overlay_mask(image, mask[::2, ::2])  # a mask of another size is resized
    assert small.shape == image.shape and (small[10, 10] != image[10, 10]).any()


def test_overlay_png_and_gif(tmp_path):
    frames = [np.full((40, 60, 3), 40 * i, np.uint8) for i in range(4)]
    save_overlay(str(tmp_path / 'a' / 'f.png'), frames[0], box_mask((40, 60), (0, 0, 9, 9), 1))
    assert Image.open(tmp_path / 'a' / 'f.png').size == (60, 40)
    assert write_gif(str(tmp_path / 'clip.gif'), iter(frames), fps=5, max_size=30)
    with Image.open(tmp_path / 'clip.gif') as gif:
        assert gif.n_frames == 4 and gif.size == (30, 20)
        assert gif.info['duration'] == 200 and gif.info['loop'] == 0
    assert not write_gif(str(tmp_path / 'empty.gif'), [])


@pytest.mark.skipif(importlib.util.find_spec('imageio') is not None,
                    reason='the video extra is installed')
def test_mp4_without_the_video_extra_says_how_to_install_it(tmp_path):
    with pytest.raises(ConfigError, match=r'pip install -e "\.\[video\]"'):
        write_mp4(str(tmp_path / 'clip.mp4'), [np.zeros((8, 8, 3), np.uint8)])
