"""A user-written FiLM modulator (the example of docs/models.md) plugs in from a config file via
``custom_imports`` and trains one step, without touching any backbone."""
import os
import re

import numpy as np
import tensorflow as tf

from osmnseg.config import Config
from osmnseg.models import build_segmentor
from tiny_models import CONFIG_DIR, make_batch

DOCS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'docs', 'models.md')


def film_example_source():
    """The first Python block of docs/models.md that defines FiLMModulator."""
    blocks = re.findall(r'```python\n(.*?)```', open(DOCS).read(), flags=re.S)
    return next(b for b in blocks if 'class FiLMModulator' in b)


def test_film_modulator_from_custom_imports_trains_one_step(tmp_path, monkeypatch):
    (tmp_path / 'my_film.py').write_text(film_example_source())
    monkeypatch.syspath_prepend(str(tmp_path))
    base = os.path.abspath(os.path.join(CONFIG_DIR, 'osmn_vgg16.py'))
    (tmp_path / 'film_config.py').write_text(
        f"_base_ = [{base!r}]\n"
        "custom_imports = dict(imports=['my_film'])\n"
        "model = dict(backbone=dict(width=0.125),\n"
        "             visual_modulator=dict(_delete_=True, type='FiLMModulator',\n"
        "                                   targets=('conv4_3', 'conv5_3')))\n")
    cfg = Config.fromfile(str(tmp_path / 'film_config.py'))
    model = build_segmentor(cfg.model)

    batch = make_batch(2)
    params = model.encode_guide(batch['guide'])
    assert sorted(params) == ['conv4_3', 'conv4_3:shift', 'conv5_3', 'conv5_3:shift']
    kernel = model.reference_variables()['osmn/film/proj/weights']
    before = kernel.numpy().copy()
    with tf.GradientTape() as tape:
        loss = model.loss(model(batch, training=True), batch['label'])
    grads = tape.gradient(loss, model.trainable_variables)
    tf.keras.optimizers.SGD(0.1).apply_gradients(zip(grads, model.trainable_variables))
    assert np.any(kernel.numpy() != before)
    other = dict(batch, guide=batch['guide'] * -1.0)
    assert np.any(model(batch).numpy() != model(other).numpy())
