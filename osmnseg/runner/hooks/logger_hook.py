"""LoggerHook: text log, JSON lines, TensorBoard scalars and image summaries."""
import datetime
import json
import os
import resource
import sys

import numpy as np
import tensorflow as tf

from osmnseg.registry import HOOKS
from osmnseg.runner.hooks.hook import Hook

CURRENT_VALUE_KEYS = ('lr', 'eta')  # logged as they are now, not averaged over the interval


def peak_rss_mb():
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == 'darwin' else peak / 1024


# the batch entries shown between the frame and the prediction, when present
_GUIDE_KEYS = ('guide', 'spatial_guide', 'guide_image', 'guide_mask', 'prev_mask')


@HOOKS.register_module()
class LoggerHook(Hook):
    """Log every ``interval`` iterations.

    Writes ``<work_dir>/<timestamp>.log`` (through the runner's logger),
    ``<work_dir>/<timestamp>.log.json`` (one JSON object per logged iteration: iter, lr, loss
    terms, time, data_time, memory in MiB), TensorBoard scalars under ``<work_dir>/tf_logs`` and,
    every ``image_interval`` iterations, an image summary of the first sample of the batch:
    frame | visual guide | spatial guide | prediction | label.

    Args:
        interval: iterations between log lines. Loss terms, ``time`` and ``data_time`` are
            means over the iterations since the previous line (as mmcv logs them); ``lr`` and
            ``eta`` are the current values.
        image_interval: iterations between image summaries (<= 0: never).
        tensorboard: write TensorBoard summaries.
    """

    priority = 'VERY_LOW'

    def __init__(self, interval=20, image_interval=500, tensorboard=True):
        self.interval = int(interval)
        self.image_interval = int(image_interval)
        self.tensorboard = tensorboard
        self._writer = None
        self.json_path = None
        self._sums = {}
        self._count = 0

    def before_run(self, runner):
        if not runner.is_chief:  # other workers of a multi-worker run only write their text log
            return
        os.makedirs(runner.work_dir, exist_ok=True)
        self.json_path = os.path.join(runner.work_dir, f'{runner.timestamp}.log.json')
        if self.tensorboard:
            self._writer = tf.summary.create_file_writer(os.path.join(runner.work_dir, 'tf_logs'))

    def after_train_iter(self, runner):
        values = dict(**runner.outputs, **runner.log_buffer)
        for key in values:
            if key not in CURRENT_VALUE_KEYS and isinstance(values[key], float):
                self._sums[key] = self._sums.get(key, 0.0) + values[key]
        self._count += 1
        if not (self.every_n_iters(runner, self.interval) or self.is_last_iter(runner)
                or runner.iter == 1):
            return
        values.update({key: total / self._count for key, total in self._sums.items()})
        self._sums, self._count = {}, 0
        record = dict(mode='train', iter=runner.iter, **values, memory=round(peak_rss_mb(), 1))
        runner.logger.info(self._format(runner, record))
        self._append_json(record)
        # Every worker of a multi-worker run computes the panel: the forward pass may read
        # synchronised variables (batch-norm statistics) with a collective all workers must join.
        panel = None
        if self.tensorboard and self.image_interval > 0 and runner.iter % self.image_interval == 0:
            panel = self._sample_panel(runner)
        if self._writer is not None:
            with self._writer.as_default(step=runner.iter):
                for key, value in record.items():
                    if isinstance(value, float):
                        tf.summary.scalar(f'train/{key}', value)
                if panel is not None:
                    tf.summary.image('train/frame|guide|spatial|prediction|label', panel,
                                     max_outputs=1)
            self._writer.flush()

    def after_val(self, runner, metrics):
        record = dict(mode='val', iter=runner.iter, **metrics)
        runner.logger.info('Val @ iter %d: %s', runner.iter,
                           ', '.join(f'{k}: {v:.4f}' for k, v in metrics.items()
                                     if isinstance(v, float)))
        self._append_json(record)
        if self._writer is not None:
            with self._writer.as_default(step=runner.iter):
                for key, value in metrics.items():
                    if isinstance(value, float):
                        tf.summary.scalar(f'val/{key}', value)
            self._writer.flush()

    def _append_json(self, record):
        if self.json_path is not None:
            with open(self.json_path, 'a', encoding='utf-8') as f:
                f.write(json.dumps(record) + '\n')

    def after_run(self, runner):
        if self._writer is not None:
            self._writer.close()

    @staticmethod
    def _format(runner, record):
        eta = str(datetime.timedelta(seconds=int(record.get('eta', 0))))
        losses = ', '.join(f'{k}: {v:.4f}' for k, v in record.items() if k.startswith('loss'))
        return (f"Iter [{runner.iter}/{runner.max_iters}] lr: {record['lr']:.3e}, eta: {eta}, "
                f"time: {record.get('time', 0):.3f}, data_time: {record.get('data_time', 0):.3f}, "
                f"memory: {record['memory']:.0f}MB, {losses}")

    @staticmethod
    def _sample_panel(runner):
        """[1, H, nW, 3] uint8: the first sample's frame, its guides (visual and spatial guide,
        or a matching model's annotated frame, its mask and the previous mask), prediction,
        label."""
        batch = runner.last_batch
        if runner.strategy.num_replicas_in_sync > 1:
            batch = {k: runner.strategy.experimental_local_results(v)[0] for k, v in batch.items()}
        sample = {k: v[:1] for k, v in batch.items()}
        probability = tf.sigmoid(runner.model(sample, training=False))[0, ..., 0].numpy()
        image = sample['image'][0].numpy()
        height, width = image.shape[:2]

        def to_rgb(array):
            array = np.asarray(array, np.float32)
            if array.ndim == 2:
                array = np.repeat(array[..., None], 3, axis=-1)
            low, high = float(array.min()), float(array.max())
            array = (array - low) / (high - low) if high > low else np.zeros_like(array)
            return tf.image.resize(array, (height, width), method='nearest').numpy()

        guides = [sample[key][0].numpy() for key in _GUIDE_KEYS if key in sample]
        panels = ([to_rgb(image[..., ::-1])]
                  + [to_rgb(g[..., ::-1] if g.shape[-1] == 3 else g[..., 0]) for g in guides]
                  + [to_rgb(probability), to_rgb(sample['label'][0, ..., 0])])
        return (np.concatenate(panels, axis=1)[None] * 255).astype(np.uint8)
