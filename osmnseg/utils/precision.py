"""The compute dtypes a model runs in, by name: the one list that the command-line options,
the config checks and the devices accept (no TensorFlow import, so the tools' argument parsers
stay fast)."""

PRECISIONS = ('float32', 'bfloat16', 'float16')
