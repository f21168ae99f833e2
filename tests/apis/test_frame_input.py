"""The TensorFlow network input of a frame and the JPEG decoding of the inference readers."""
import numpy as np
import pytest
from PIL import Image

from osmnseg.apis.inference.frame_tensor import FrameTensor
from osmnseg.apis.inference.reader import decode_frame
from osmnseg.datasets.pipelines.functional import resize_image
from osmnseg.datasets.pipelines.inference_inputs import frame_input
from osmnseg.io.images import read_image
from osmnseg.utils.errors import DataError


class _Settings:
    def __init__(self, normalize):
        self.normalize = normalize


def _smooth_frame(height, width, seed=0):
    """A camera-like frame: smooth gradients plus mild noise (uint8)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 200 / width, y * 200 / height, (x + y) * 100 / (width + height)], -1)
    return np.clip(base + rng.normal(0, 6, base.shape) + 20, 0, 255).astype(np.uint8)


@pytest.mark.parametrize('normalize', [
    dict(mode='rgb_unit'),
    dict(mode='mean_subtract', mean=(104.0, 117.0, 123.0), scale=1.0, to_bgr=True),
    dict(mode='mean_subtract', mean=(1.0, 2.0, 3.0), scale=0.5, to_bgr=False),
])
def test_same_size_frame_matches_the_numpy_input(normalize):
    frame = _smooth_frame(48, 80)
    expected = frame_input(frame, (48, 80), _Settings(normalize))
    got = FrameTensor(normalize)(frame, (48, 80)).numpy()
    assert got.shape == (1, 48, 80, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)  # the last float32 bit


@pytest.mark.parametrize('work_size', [(38, 63), (60, 100)])  # down 0.79x (the recipe's), up
def test_resized_frame_stays_within_a_few_levels_of_the_training_resize(work_size):
    frame = _smooth_frame(48, 80, seed=1)
    expected = resize_image(frame, work_size).astype(np.float32)  # PIL, as training resizes
    got = (FrameTensor(dict(mode='rgb_unit'))(frame, work_size).numpy()[0] + 1) * 127.5
    assert got.shape == (*work_size, 3)
    assert np.abs(got - expected).mean() < 1.5
    np.testing.assert_allclose(got, np.round(got), rtol=0, atol=1e-3)  # uint8 levels, as PIL


def test_one_compiled_graph_serves_every_size():
    frame_tensor = FrameTensor(dict(mode='rgb_unit'))
    for size, work in (((48, 80), (38, 63)), ((30, 40), (38, 63)), ((48, 80), (48, 80))):
        assert frame_tensor(_smooth_frame(*size), work).shape == (1, *work, 3)
    assert frame_tensor._compiled.experimental_get_tracing_count() == 1


def test_cores_of_one_setting_share_one_frame_tensor():
    assert FrameTensor.shared(dict(mode='rgb_unit')) is FrameTensor.shared({'mode': 'rgb_unit'})
    caffe = dict(mode='mean_subtract', mean=[104.0, 117.0, 123.0])
    assert FrameTensor.shared(caffe) is FrameTensor.shared(dict(caffe, mean=(104, 117, 123)))
    assert FrameTensor.shared(caffe) is not FrameTensor.shared(dict(mode='rgb_unit'))


def test_unknown_normalisation_mode_is_refused():
    with pytest.raises(ValueError, match='normalisation mode'):
        FrameTensor(dict(mode='zscore'))


@pytest.mark.parametrize('mode', ['RGB', 'L'])
def test_jpeg_decoding_gives_pil_pixels(tmp_path, mode):
    frame = _smooth_frame(45, 70)
    image = Image.fromarray(frame) if mode == 'RGB' else Image.fromarray(frame[..., 0])
    path = str(tmp_path / 'frame.jpg')
    image.save(path, quality=85)
    decoded = decode_frame(path)
    assert decoded.shape == (45, 70, 3) and decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, read_image(path))


def test_png_and_cmyk_jpeg_frames_go_through_pil(tmp_path):
    frame = _smooth_frame(20, 30)
    Image.fromarray(frame).save(tmp_path / 'frame.png')
    np.testing.assert_array_equal(decode_frame(str(tmp_path / 'frame.png')), frame)
    Image.fromarray(frame).convert('CMYK').save(tmp_path / 'cmyk.jpg')
    np.testing.assert_array_equal(decode_frame(str(tmp_path / 'cmyk.jpg')),
                                  read_image(str(tmp_path / 'cmyk.jpg')))


def test_missing_or_truncated_jpeg_is_one_data_error_naming_the_file(tmp_path):
    with pytest.raises(DataError, match='missing.jpg does not exist'):
        decode_frame(str(tmp_path / 'missing.jpg'))
    path = tmp_path / 'cut.jpg'
    Image.fromarray(_smooth_frame(40, 60)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(DataError, match='cut.jpg is not a readable image'):
        decode_frame(str(path))


@pytest.mark.parametrize('size, work_size', [((48, 80), (38, 63)), ((480, 854), (384, 672)),
                                             ((30, 40), (38, 63)), ((7, 5), (3, 11))])
def test_numpy_twin_of_the_runtime_samples_as_tensorflow(size, work_size):
    frame = _smooth_frame(*size, seed=2)
    expected = FrameTensor.shared(dict(mode='rgb_unit'))(frame, work_size).numpy()
    got = frame_input(frame, work_size, _Settings(dict(mode='rgb_unit')))
    levels = np.abs(got - expected) * 127.5
    assert levels.max() <= 1.001 and (levels > 0.5).mean() < 1e-3  # a rare .5 tie apart
