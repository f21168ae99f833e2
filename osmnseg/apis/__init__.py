"""osmnseg.apis: high-level entry points for inference, evaluation and training.

    >>> from osmnseg.apis import init_segmentor, VideoSegmenter, InferenceSettings
    >>> model = init_segmentor('configs/osmn_vgg16_davis2017.py', 'work_dirs/osmn_vgg16_davis2017')
    >>> segmenter = VideoSegmenter(model, InferenceSettings.from_config(model.cfg))
    >>> for result in segmenter.segment(frame_paths, {0: 'first_mask.png'}):
    ...     result.mask  # [H, W] uint8 object ids

``train_segmentor`` (``osmnseg.apis.train``) is imported on first use, so inference does not
load the training runner.
"""
from osmnseg.apis.inference import (FrameResult, InferenceCore, InferenceSettings, StepOutput,
                                    VideoSegmenter, init_segmentor)

__all__ = ['init_segmentor', 'InferenceCore', 'StepOutput', 'VideoSegmenter',
           'InferenceSettings', 'FrameResult', 'train_segmentor']


def __getattr__(name):
    if name == 'train_segmentor':
        from osmnseg.apis.train import train_segmentor
        return train_segmentor
    raise AttributeError(f"module 'osmnseg.apis' has no attribute {name!r}")
