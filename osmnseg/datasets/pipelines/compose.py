"""``Compose``: a data pipeline built from the config's list of transform dicts."""
from osmnseg.datasets.pipelines.formatting import PACKED_KEYS, PackInputs
from osmnseg.datasets.pipelines.functional import DEFAULT_GUIDE_SIZE
from osmnseg.registry import TRANSFORMS


def visual_guide_size(pipeline, key='pipeline'):
    """Side of the visual guide a pipeline config (a list of step dicts; ``None``: empty)
    writes: :attr:`Compose.guide_size` of the pipeline built from it."""
    return Compose(pipeline or (), key).guide_size


class Compose:
    """Apply transforms in sequence to a ``results`` dict.

    Args:
        transforms: sequence of config dicts (``dict(type='LoadFrame', ...)``, built from the
            TRANSFORMS registry) or callables ``results -> results``.
        key: dotted config path of the list, for error messages (e.g. ``'data.train.pipeline'``).

    Raises:
        RegistryError: a ``type`` is not a registered transform.
        BuildError: a transform's arguments do not fit its constructor.
    """

    def __init__(self, transforms=(), key='pipeline'):
        self.transforms = []
        for index, transform in enumerate(transforms):
            if not callable(transform):
                transform = TRANSFORMS.build(transform, key=f'{key}[{index}]')
            self.transforms.append(transform)

    @property
    def packed_keys(self):
        """The entries the final ``PackInputs`` packs (``PACKED_KEYS`` when it is absent)."""
        last = self.transforms[-1] if self.transforms else None
        return last.keys if isinstance(last, PackInputs) else PACKED_KEYS

    @property
    def guide_size(self):
        """Side of the visual guide the pipeline writes: that of the first transform that
        declares one (``BaseTransform.guide_size``), ``DEFAULT_GUIDE_SIZE`` when none does."""
        sizes = [transform.guide_size for transform in self.transforms
                 if getattr(transform, 'guide_size', None) is not None]
        return int(sizes[0]) if sizes else DEFAULT_GUIDE_SIZE

    @property
    def normalization(self):
        """``normalize_image`` keyword arguments of the first transform that normalises
        (``BaseTransform.normalization``); ``None`` when none does."""
        return next((transform.normalization for transform in self.transforms
                     if getattr(transform, 'normalization', None) is not None), None)

    def __call__(self, results):
        """Run every transform; returns the final ``results`` dict."""
        for transform in self.transforms:
            results = transform(results)
        return results

    def __repr__(self):
        body = ''.join(f'\n    {transform!r},' for transform in self.transforms)
        return f'{type(self).__name__}([{body}\n])'
