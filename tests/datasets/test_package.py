"""``osmnseg.datasets`` imports without TensorFlow; the loader is exported lazily."""
import subprocess
import sys


def test_import_is_light_and_loader_is_lazy():
    code = ('import sys, osmnseg.datasets as d; assert "tensorflow" not in sys.modules; '
            'assert d.DAVIS.__name__ == "DAVIS"')
    subprocess.run([sys.executable, '-c', code], check=True)
    from osmnseg.datasets import build_train_loader
    from osmnseg.datasets.loader import build_train_loader as original
    assert build_train_loader is original
