"""Reading and writing index PNGs (osmnseg/io/palette.py)."""
import numpy as np
import pytest
from PIL import Image

from osmnseg.io.palette import DAVIS_PALETTE, load_index_png, save_palette_png
from osmnseg.utils.errors import DataError


def test_davis_palette_is_the_voc_colour_map():
    assert DAVIS_PALETTE.shape == (256, 3) and DAVIS_PALETTE.dtype == np.uint8
    assert DAVIS_PALETTE[:5].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0],
                                          [0, 0, 128]]
    assert DAVIS_PALETTE[255].tolist() == [224, 224, 192]


def test_palette_png_round_trip(tmp_path):
    ids = np.arange(64 * 48).reshape(48, 64) % 7
    path = tmp_path / 'sub' / '00000.png'
    save_palette_png(str(path), ids)
    with Image.open(path) as image:
        assert image.mode == 'P'
        assert image.getpalette()[:9] == [0, 0, 0, 128, 0, 0, 0, 128, 0]
    loaded = load_index_png(str(path))
    assert loaded.dtype == np.uint8 and loaded.shape == (48, 64)
    np.testing.assert_array_equal(loaded, ids)


def test_grey_png_reads_its_levels(tmp_path):
    mask = np.zeros((8, 10), np.uint8)
    mask[2:5, 3:7] = 255
    path = str(tmp_path / 'mask.png')
    Image.fromarray(mask).save(path)
    np.testing.assert_array_equal(load_index_png(path), mask)


def test_save_rejects_values_outside_a_palette(tmp_path):
    with pytest.raises(ValueError, match='0..255'):
        save_palette_png(str(tmp_path / 'x.png'), np.full((2, 2), 256))
    with pytest.raises(ValueError, match=r'\[H, W\]'):
        save_palette_png(str(tmp_path / 'x.png'), np.zeros((2, 2, 3)))


def test_rgb_annotation_is_a_data_error_naming_the_file(tmp_path):
    path = str(tmp_path / 'rgb.png')
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    with pytest.raises(DataError, match=r'rgb\.png is a RGB image.*palette \(P\)'):
        load_index_png(path)


def test_missing_or_corrupted_png_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match=r'absent\.png does not exist'):
        load_index_png(str(tmp_path / 'absent.png'))
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not a png at all')
    with pytest.raises(DataError, match=r'broken\.png is not a readable image'):
        load_index_png(str(broken))
    whole = tmp_path / 'whole.png'
    save_palette_png(str(whole), np.random.default_rng(0).integers(0, 5, (64, 64)))
    truncated = tmp_path / 'truncated.png'
    truncated.write_bytes(whole.read_bytes()[:80])
    with pytest.raises(DataError, match=r'truncated\.png is not a readable image'):
        load_index_png(str(truncated))


def test_grey_alpha_png_reads_its_grey_levels(tmp_path):
    # real DAVIS 2016 downloads hold such files (bear/00077.png): grey + an opaque alpha
    grey = np.zeros((8, 10), np.uint8)
    grey[2:5, 3:7] = 255
    path = tmp_path / 'la.png'
    Image.fromarray(np.dstack([grey, np.full_like(grey, 255)]), mode='LA').save(path)
    np.testing.assert_array_equal(load_index_png(str(path)), grey)


def test_grey_alpha_png_with_transparency_is_refused(tmp_path):
    grey_alpha = np.zeros((8, 10, 2), np.uint8)
    grey_alpha[..., 1] = 255
    grey_alpha[0, 0, 1] = 0
    path = tmp_path / 'la.png'
    Image.fromarray(grey_alpha, mode='LA').save(path)
    with pytest.raises(DataError, match=r'la\.png is a grey \+ alpha .*transparent'):
        load_index_png(str(path))
