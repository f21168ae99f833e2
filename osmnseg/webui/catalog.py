"""The sequences of the config's data set (``cfg.data.test``, what ``tools/test.py`` reads),
offered in the page next to uploads; ``tools/webui.py`` builds the data set before it starts
serving (:meth:`SequenceCatalog.names`), so the page's list is there at once."""
import threading

from osmnseg.utils.errors import DataError
from osmnseg.webui.media import read_frame_file


class SequenceCatalog:
    """Names and frames of the test data set's sequences.

    Args:
        dataset_cfg: the data set's config dict (``cfg.data.test``), or ``None`` when the config
            has none.
    """

    def __init__(self, dataset_cfg):
        self.dataset_cfg = dataset_cfg
        self._sequences = None
        self._lock = threading.Lock()

    def _load(self):
        from osmnseg.datasets import build_dataset

        with self._lock:
            if self._sequences is None:
                if not self.dataset_cfg:
                    raise DataError('the config has no data.test data set; upload a clip '
                                    'instead.')
                dataset = build_dataset(self.dataset_cfg)
                self._sequences = {sequence.name: sequence for sequence in dataset.sequences()}
        return self._sequences

    def names(self):
        """The sequence names, in the data set's order.

        Raises:
            DataError: the config has no test set, or it is not on disk.
        """
        return list(self._load())

    def frames(self, name):
        """``(label, EncodedFrame)`` of each frame of sequence ``name`` (its files' bytes),
        read one at a time.

        Raises:
            DataError: no sequence has that name.
        """
        sequences = self._load()
        if name not in sequences:
            raise DataError(f'the data set has no sequence {name!r}; pick one from the list.')
        return ((path, read_frame_file(path)) for path in sequences[name].frame_paths)
