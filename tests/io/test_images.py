"""Image files (osmnseg/io/images.py): RGB frames, sizes from headers, size checks."""
import numpy as np
import pytest
from PIL import Image

from osmnseg.io.images import check_one_size, check_same_size, read_image, read_image_size
from osmnseg.utils.errors import DataError


def _save(path, array):
    Image.fromarray(array).save(path)
    return str(path)


def test_read_image_gives_rgb_and_grey_gets_three_equal_channels(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 255, (6, 9, 3), dtype=np.uint8)
    np.testing.assert_array_equal(read_image(_save(tmp_path / 'rgb.png', rgb)), rgb)
    grey = np.arange(54, dtype=np.uint8).reshape(6, 9)
    image = read_image(_save(tmp_path / 'grey.png', grey))
    assert image.shape == (6, 9, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, np.repeat(grey[..., None], 3, axis=2))


def test_missing_corrupted_or_truncated_frames_are_data_errors_naming_the_file(tmp_path):
    with pytest.raises(DataError, match=r'absent\.jpg does not exist; check the data root and '
                                        r'the frame folder'):
        read_image(str(tmp_path / 'absent.jpg'))
    (tmp_path / 'text.jpg').write_text('not an image')
    with pytest.raises(DataError, match=r'text\.jpg is not a readable image'):
        read_image(str(tmp_path / 'text.jpg'))
    whole = _save(tmp_path / 'whole.jpg',
                  np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    truncated = tmp_path / 'truncated.jpg'
    truncated.write_bytes(open(whole, 'rb').read()[:300])
    with pytest.raises(DataError, match=r'truncated\.jpg is not a readable image'):
        read_image(str(truncated))


def test_read_image_size_is_height_width_and_names_a_missing_file(tmp_path):
    assert read_image_size(_save(tmp_path / 'a.png', np.zeros((5, 7), np.uint8))) == (5, 7)
    with pytest.raises(DataError, match=r'gone\.png does not exist'):
        read_image_size(str(tmp_path / 'gone.png'))


def test_check_one_size_returns_the_shared_size_or_names_the_odd_frame(tmp_path):
    paths = [_save(tmp_path / f'{i}.png', np.zeros((4, 6), np.uint8)) for i in range(3)]
    assert check_one_size(paths, "sequence 'bike'") == (4, 6)
    odd = _save(tmp_path / 'odd.png', np.zeros((4, 5), np.uint8))
    with pytest.raises(DataError, match=r"odd\.png is 5x4 \(WxH\) but .*0\.png is 6x4; all "
                                        r"frames of sequence 'bike' must have one size"):
        check_one_size(paths + [odd], "sequence 'bike'")


def test_check_same_size_names_the_annotation_and_its_frame():
    check_same_size('a.png', (4, 6), 'a.jpg', (4, 6))
    with pytest.raises(DataError, match=r'a\.png is 6x4 \(WxH\) but a\.jpg is 8x4'):
        check_same_size('a.png', (4, 6), 'a.jpg', (4, 8))
