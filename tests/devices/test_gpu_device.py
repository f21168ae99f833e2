"""GPU device: argument checks and the error when no GPU is visible (CI machines have none)."""
import pytest
import tensorflow as tf

from osmnseg.devices import GPU, build_device
from osmnseg.utils.errors import BuildError, DeviceError

no_gpu = pytest.mark.skipif(bool(tf.config.list_physical_devices('GPU')),
                            reason='a GPU is visible on this machine')


@no_gpu
def test_no_visible_gpu_raises_one_sentence_suggesting_the_cpu():
    device = build_device('gpu')  # building is cheap; the hardware is checked by setup()
    with pytest.raises(DeviceError) as info:
        device.setup()
    message = str(info.value)
    assert message.startswith('No GPU is visible to TensorFlow')
    assert "device=dict(type='CPU')" in message and '--device cpu' in message
    assert message.count('. ') == 0 and message.endswith('.')
    with pytest.raises(DeviceError, match='No GPU is visible'):
        device.strategy()
    with pytest.raises(DeviceError, match='No GPU is visible'):
        GPU().fast_bf16


def test_ids_accept_an_int_or_a_list():
    assert GPU(ids=1).ids == (1,)
    assert GPU(ids=[0, 2]).ids == (0, 2)
    assert GPU().ids is None


@pytest.mark.parametrize('ids', [[], [-1], ['0'], True])
def test_invalid_ids_name_the_config_key(ids):
    with pytest.raises(BuildError, match=r'device.ids must be None, a GPU index or a non-empty '
                       r'list of GPU indices \(--gpu-ids 0 1\)'):
        build_device(dict(type='GPU', ids=ids))
