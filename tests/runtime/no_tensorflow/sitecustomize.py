"""On ``PYTHONPATH`` of a test's subprocess: importing TensorFlow fails there, and each attempt
is appended to the file ``$OSMNSEG_TF_IMPORTS`` (so one caught by an ``except ImportError``
still shows)."""
import os
import sys


class BlockTensorFlow:
    """A meta path finder that refuses ``tensorflow`` and its submodules."""

    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] != 'tensorflow':
            return None
        with open(os.environ['OSMNSEG_TF_IMPORTS'], 'a', encoding='utf-8') as log:
            log.write(name + '\n')
        raise ImportError(f'importing {name} is blocked in this test')


sys.meta_path.insert(0, BlockTensorFlow())
