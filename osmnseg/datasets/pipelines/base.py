"""Shared base of the transforms: the ``results -> results`` interface and a readable ``repr``."""
import abc


class BaseTransform(abc.ABC):
    """A callable ``results -> results``. Subclasses keep their constructor arguments as public
    attributes of the same names, which ``repr`` prints.

    A transform that decides how test frames or guides are prepared also says so for the
    array-in inference (``osmnseg.apis.InferenceSettings.from_config``) through
    :meth:`inference_settings`, so that training and testing cannot diverge. What other code
    needs to know of a built pipeline, the transforms declare in the attributes below, which
    ``Compose`` reads (no one matches transform names).
    """

    guide_size = None
    """Side of the square visual guide this transform writes (``results['guide']``);
    ``None``: it writes none."""

    normalization = None
    """The keyword arguments of ``normalize_image`` (``mean``, ``scale``, ``to_bgr``, ``mode``)
    this transform normalises frames with; ``None``: it does not normalise."""

    @classmethod
    def inference_settings(cls, step):
        """The ``InferenceSettings`` fields that the test-pipeline entry ``step`` (this
        transform's config dict) sets; only what ``step`` states, the rest keeps the settings'
        defaults."""
        return {}

    @abc.abstractmethod
    def __call__(self, results):
        """Read and add keys of ``results`` (a dict of numpy arrays and sample info); return it."""

    def __repr__(self):
        args = ', '.join(f'{name}={value!r}' for name, value in vars(self).items()
                         if not name.startswith('_'))
        return f'{type(self).__name__}({args})'
