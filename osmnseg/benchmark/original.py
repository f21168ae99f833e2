"""Time the original OSMN code (linjieyangsc/video_seg, 2018) in this process, for comparison.

The original is Python 2 / TensorFlow 1 / ``tf.contrib.slim`` code. :func:`load_original` copies
the files it needs from a user's checkout into a temporary folder, applies the minimal patches of
:data:`PATCHES` there (the checkout is never modified; nothing is downloaded) and imports them.
Its graphs then run under ``tensorflow.compat.v1`` graph mode with ``tf_slim`` (the ``compare``
extra: ``pip install -e ".[compare]"``), timed the way the original runs them:

* inference as in ``osmn.test()``: the visual modulation parameters are computed once per object
  and fed back as cached values, then one ``sess.run(probabilities)`` per frame;
* training as in ``osmn.train_finetune()`` with ``iter_mean_grad=1``: one ``sess.run`` of the loss
  and the gradient accumulators, one of the Adam update.

Weights are the original's random initialisation (plus ``interp_surgery`` for the VGG model), which
costs exactly as much time as trained ones. This is the only module of osmnseg that uses
``tf.compat.v1``: it runs the 2018 code, not ours.
"""
import ast
import contextlib
import importlib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import time
from types import SimpleNamespace

import numpy as np

from osmnseg.benchmark.timing import summarize
from osmnseg.utils.errors import ConfigError

# Files of the checkout that the timed graphs need (osmn.py only for its training loss).
SOURCE_FILES = ('model_func.py', 'ops.py', 'mobilenet_v1.py', 'osmn.py')
# (files, what and why, regex, replacement): applied in the temporary copy, in this order.
PATCHES = (
    (('model_func.py', 'ops.py', 'mobilenet_v1.py'),
     'import tensorflow as tf -> import tensorflow.compat.v1 as tf (TF1 API on TF 2)',
     r'^import tensorflow as tf$', 'import tensorflow.compat.v1 as tf'),
    (('model_func.py', 'ops.py', 'mobilenet_v1.py'),
     'slim = tf.contrib.slim -> import tf_slim as slim (tf.contrib is gone)',
     r'^slim = tf\.contrib\.slim$', 'import tf_slim as slim'),
    (('mobilenet_v1.py',),
     'tf.contrib.layers.{softmax,l2_regularizer} -> slim.{softmax,l2_regularizer}',
     r'tf\.contrib\.layers\.', 'slim.'),
    (('model_func.py',),
     'tab in indentation -> spaces to the next multiple of 8 (Python 2 tab width; Python 3 '
     'refuses mixed indentation)',
     r'^( *)\t', lambda m: ' ' * (len(m.group(1)) // 8 * 8 + 8)),
    (('model_func.py', 'ops.py'),
     'Python 2 print statements -> print(...)',
     r'^(\s*)print (?!\()(.*)$', r'\1print(\2)'),
    (('model_func.py',),
     'osmn_lite: im_size[i]/2 -> im_size[i]//2 (Python 3 true division gave float sizes)',
     r'im_size\[(\d)\]/2', r'im_size[\1]//2'),
)
# Only this function is taken from osmn.py (the rest needs scipy.misc, PIL and tf.contrib).
LOSS_FUNCTION = 'class_balanced_cross_entropy_loss'
MODEL_FUNCS = {'osvos': ('osmn', 'visual_modulator'),
               'lite': ('osmn_lite', 'visual_modulator_lite')}
GUIDE_SIZE = 224  # the original's visual guide size (train_finetune's placeholder, test data)


def missing_packages():
    """Packages of the ``compare`` extra that are not installed (``tf_slim``, ``tf_keras``: the
    original's ``slim.batch_norm`` builds a ``tf_keras`` layer)."""
    return [name for name in ('tf_slim', 'tf_keras') if importlib.util.find_spec(name) is None]


def require_compare_extra():
    """Raise a :class:`ConfigError` that says how to install what :func:`missing_packages`
    lists."""
    missing = missing_packages()
    if missing:
        raise ConfigError(f'--compare-original runs the original code with tf_slim and tf_keras; '
                          f'{" and ".join(missing)} not installed: pip install -e ".[compare]"')


def patch_source(name, text):
    """``(patched text, [descriptions of the patches that changed it])`` of file ``name``."""
    applied = []
    for files, description, pattern, replacement in PATCHES:
        if name in files:
            text, count = re.subn(pattern, replacement, text, flags=re.M)
            if count:
                applied.append(f'{name}: {description} ({count}x)')
    return text, applied


def _loss_only(text):
    """Source of :data:`LOSS_FUNCTION` of osmn.py (Python 2 file, so cut out by lines: from its
    ``def`` to the next top-level statement) after ``import tensorflow.compat.v1 as tf``."""
    match = re.search(rf'^def {LOSS_FUNCTION}\(.*?(?=^\S)', text, flags=re.M | re.S)
    if not match:
        raise ConfigError(f'osmn.py of the original checkout has no {LOSS_FUNCTION}()')
    source = 'import tensorflow.compat.v1 as tf\n\n\n' + match.group(0)
    ast.parse(source)  # a SyntaxError here names the line
    return source


@contextlib.contextmanager
def load_original(checkout):
    """Patched copy of the original code, imported.

    Args:
        checkout: folder of a video_seg checkout (holding ``model_func.py``, ``osmn.py`` ...).

    Yields:
        ``SimpleNamespace(model_func, loss, patches)``: the imported ``model_func`` module, the
        original's class-balanced loss, and the list of patches applied (one line each).
    """
    checkout = os.path.abspath(os.path.expanduser(checkout))
    missing = [f for f in SOURCE_FILES if not os.path.isfile(os.path.join(checkout, f))]
    if missing:
        raise ConfigError(f'--compare-original {checkout} is not a video_seg checkout: '
                          f'{", ".join(missing)} missing')
    require_compare_extra()
    names = [os.path.splitext(f)[0] for f in SOURCE_FILES]
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    with tempfile.TemporaryDirectory(prefix='osmn_original_') as folder:
        patches = []
        for name in SOURCE_FILES:
            with open(os.path.join(checkout, name), encoding='utf-8') as f:
                text, applied = patch_source(name, f.read())
            if name == 'osmn.py':
                name, text = 'osmn_loss.py', _loss_only(text)
                applied.append(f'osmn.py: only {LOSS_FUNCTION}() is loaded (the rest imports '
                               'scipy.misc, PIL and tf.contrib)')
            patches.extend(applied)
            with open(os.path.join(folder, name), 'w', encoding='utf-8') as f:
                f.write(text)
        sys.path.insert(0, folder)
        shimmed = _shim_framework_tensor()
        if shimmed:
            patches.append(shimmed)
        try:
            model_func = importlib.import_module('model_func')
            loss = getattr(importlib.import_module('osmn_loss'), LOSS_FUNCTION)
            yield SimpleNamespace(model_func=model_func, loss=loss, patches=patches)
        finally:
            sys.path.remove(folder)
            if shimmed:
                from tensorflow.python.framework import ops
                del ops.Tensor
            for name in names + ['osmn_loss']:
                sys.modules.pop(name, None)
            sys.modules.update(saved)
            shutil.rmtree(os.path.join(folder, '__pycache__'), ignore_errors=True)


def _shim_framework_tensor():
    """tf_slim 1.1 tests ``isinstance(x, tensorflow.python.framework.ops.Tensor)``, a name TF
    2.14+ no longer has: alias it to ``tf.Tensor`` while the original runs (removed again on exit).
    Returns the line for the patch list, or ``''`` when TF still has the name."""
    import tensorflow as tf
    from tensorflow.python.framework import ops

    if hasattr(ops, 'Tensor'):
        return ''
    ops.Tensor = tf.Tensor
    return ('runtime (no file changed): tensorflow.python.framework.ops.Tensor = tf.Tensor while '
            'the original runs (tf_slim 1.1 uses the name, TF 2.14+ removed it)')


def model_params(base_model, size, **overrides):
    """The original's ``model_params`` (common_args.py defaults) for ``size = (H, W)``."""
    params = dict(base_model=base_model, im_size=[size[1], size[0]], mod_early_conv=False,
                  use_visual_modulator=True, use_spatial_modulator=True, fix_bn=False,
                  train_seg=True, aligned_size=None)
    params.update(overrides)
    return SimpleNamespace(**params)


def _session(graph):
    import tensorflow.compat.v1 as tf1

    config = tf1.ConfigProto(allow_soft_placement=True)  # as osmn.test() / train_finetune()
    config.gpu_options.allow_growth = True
    return tf1.Session(graph=graph, config=config)


def _sample_peak(peak, repeats):
    if peak is not None:
        peak.sample(repeats)


def _init_weights(original, sess, base_model):
    import tensorflow.compat.v1 as tf1

    with sess.graph.as_default():
        sess.run(tf1.global_variables_initializer())
        if base_model != 'lite':  # bilinear kernels of the side-output deconvolutions
            sess.run(original.model_func.interp_surgery(tf1.global_variables()))


def time_original_inference(original, base_model, size, frames=10, warmup=2, peak=None,
                            peak_repeats=5, seed=0):
    """Per-frame time of the original ``base_model`` (``'osvos' | 'lite'``) at ``(H, W)``.

    Built and run as ``osmn.test()`` does: batch 1, placeholders of unknown height and width,
    visual modulation parameters computed once and fed as cached values, one
    ``sess.run([probabilities])`` per frame. ``peak`` (a ConvPeak) is sampled ``peak_repeats``
    times before the frames and once after each.

    Returns:
        dict ``frame_ms_median``, ``frame_ms_p90``, ``peak_gflops`` (or None), ``frames``.
    """
    import tensorflow.compat.v1 as tf1

    net_name, modulator_name = MODEL_FUNCS[base_model]
    params = model_params(base_model, size)
    graph = tf1.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        guide_image = tf1.placeholder(tf1.float32, [1, None, None, 3])
        gb_image = tf1.placeholder(tf1.float32, [1, None, None, 1])
        input_image = tf1.placeholder(tf1.float32, [1, None, None, 3])
        v_m_params = getattr(original.model_func, modulator_name)(guide_image, params,
                                                                   is_training=False)
        net, _ = getattr(original.model_func, net_name)(
            [guide_image, gb_image, input_image], params, visual_modulator_params=v_m_params,
            is_training=False)
        probabilities = tf1.nn.sigmoid(net)
    rng = np.random.default_rng(seed)
    height, width = size
    with contextlib.closing(_session(graph)) as sess:  # not the default graph: the peak is eager
        _init_weights(original, sess, base_model)
        cached = sess.run(v_m_params, {guide_image: rng.normal(
            0, 50, (1, GUIDE_SIZE, GUIDE_SIZE, 3)).astype(np.float32)})
        feed = {gb_image: rng.uniform(size=(1, height, width, 1)).astype(np.float32),
                input_image: rng.normal(0, 50, (1, height, width, 3)).astype(np.float32)}
        if base_model == 'lite':
            feed.update(zip(v_m_params, cached))
        else:
            feed[v_m_params] = cached
        run_frame = lambda: sess.run([probabilities], feed_dict=feed)  # noqa: E731
        seconds = _timed(run_frame, frames, warmup, peak, peak_repeats)
    return _stats(seconds, peak, frames=frames, size=list(size))


def time_original_training(original, base_model, batch_size, size, iters=5, warmup=1,
                           peak=None, peak_repeats=5, learning_rate=1e-6, seed=0):
    """Training-step time of the original ``base_model`` at batch ``batch_size``, ``(H, W)``.

    Built as ``osmn.train_finetune()`` with ``iter_mean_grad=1`` (no summaries, no
    checkpoints): class-balanced loss + L2 regularisation, Adam through one
    ``ConditionalAccumulator`` per gradient; one step = the accumulate run + the apply run.

    Returns:
        dict ``iter_s_median``, ``iter_s_p90``, ``peak_gflops`` (or None), ``iters``.
    """
    import tensorflow.compat.v1 as tf1

    net_name, _ = MODEL_FUNCS[base_model]
    params = model_params(base_model, size)
    graph = tf1.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        global_step = tf1.Variable(0, name='global_step', trainable=False)
        guide_image = tf1.placeholder(tf1.float32, [batch_size, GUIDE_SIZE, GUIDE_SIZE, 3])
        input_image = tf1.placeholder(tf1.float32, [batch_size, None, None, 3])
        gb_image = tf1.placeholder(tf1.float32, [batch_size, None, None, 1])
        input_label = tf1.placeholder(tf1.float32, [batch_size, None, None, 1])
        net, _ = getattr(original.model_func, net_name)(
            [guide_image, gb_image, input_image], params, is_training=True)
        total_loss = (original.loss(net, input_label)
                      + tf1.add_n(tf1.losses.get_regularization_losses()))
        optimizer = tf1.train.AdamOptimizer(learning_rate)
        grads_and_vars = [(g, v) for g, v in optimizer.compute_gradients(total_loss)
                          if g is not None]
        accumulators = [tf1.ConditionalAccumulator(g.dtype) for g, _ in grads_and_vars]
        accumulate_ops = [acc.apply_grad(g, local_step=global_step)
                          for acc, (g, _) in zip(accumulators, grads_and_vars)]
        apply_op = optimizer.apply_gradients(
            [(acc.take_grad(1), v) for acc, (_, v) in zip(accumulators, grads_and_vars)],
            global_step=global_step)
    rng = np.random.default_rng(seed)
    height, width = size
    feed = {guide_image: rng.normal(0, 50, (batch_size, GUIDE_SIZE, GUIDE_SIZE, 3)),
            input_image: rng.normal(0, 50, (batch_size, height, width, 3)),
            gb_image: rng.uniform(size=(batch_size, height, width, 1)),
            input_label: (rng.uniform(size=(batch_size, height, width, 1)) > 0.7)}
    feed = {k: v.astype(np.float32) for k, v in feed.items()}
    with contextlib.closing(_session(graph)) as sess:  # not the default graph: the peak is eager
        _init_weights(original, sess, base_model)

        def run_step():
            sess.run([total_loss] + accumulate_ops, feed_dict=feed)
            sess.run(apply_op)

        seconds = _timed(run_step, iters, warmup, peak, peak_repeats)
    stats = _stats(seconds, peak, iters=iters, size=list(size), batch_size=batch_size)
    stats['iter_s_median'] = stats.pop('frame_ms_median') / 1e3
    stats['iter_s_p90'] = stats.pop('frame_ms_p90') / 1e3
    return stats


def original_logits(original, base_model, image, spatial_guide, guide, checkpoint_path,
                    seed=0):
    """Logits of the original ``base_model`` on random weights, saved as a TF1 checkpoint.

    The initialisation is the original's, except that the layers it starts constant (the
    visual modulator's output layer: zero weights, unit biases; batch-norm statistics and
    offsets) are randomised too, so that the modulation and the normalisation are exercised.
    The weights are written to ``checkpoint_path`` (a ``tf.train.Saver`` prefix, as the
    original's own checkpoints) for osmnseg's checkpoint import.

    Args:
        image, spatial_guide, guide: float32 arrays ``[1,H,W,3]``, ``[1,H,W,1]``, ``[1,S,S,3]``.

    Returns:
        float32 ``[1,H,W,1]`` logits (before the sigmoid of ``osmn.test()``).
    """
    import tensorflow.compat.v1 as tf1

    net_name, modulator_name = MODEL_FUNCS[base_model]
    params = model_params(base_model, image.shape[1:3])
    graph = tf1.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        inputs = [tf1.placeholder(tf1.float32, [1, None, None, c]) for c in (3, 1, 3)]
        v_m_params = getattr(original.model_func, modulator_name)(inputs[0], params,
                                                                   is_training=False)
        net, _ = getattr(original.model_func, net_name)(
            inputs, params, visual_modulator_params=v_m_params, is_training=False)
        constant_at_init = [v for v in tf1.global_variables() if any(
            key in v.name for key in ('fc8', 'Conv2d_out', 'moving_', 'beta'))]
        randomize = [v.assign(tf1.abs(tf1.random_normal(tf1.shape(v), stddev=0.3)) + 0.5)
                     for v in constant_at_init]
        saver = tf1.train.Saver()
    with contextlib.closing(_session(graph)) as sess, graph.as_default():
        _init_weights(original, sess, base_model)
        sess.run(randomize)
        saver.save(sess, checkpoint_path)
        return sess.run(net, dict(zip(inputs, (guide, spatial_guide, image))))


def _timed(fn, repeats, warmup, peak, peak_repeats):
    """Seconds of ``repeats`` calls after ``warmup`` untimed ones, the peak sampled between."""
    for _ in range(warmup):
        fn()
    _sample_peak(peak, peak_repeats)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
        _sample_peak(peak, 1)
    return seconds


def _stats(seconds, peak, **extra):
    stats = summarize(seconds)
    return dict(extra, frame_ms_median=stats['median_ms'], frame_ms_p90=stats['p90_ms'],
                peak_gflops=peak.gflops if peak is not None else None)
