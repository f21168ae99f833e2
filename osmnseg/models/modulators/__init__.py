"""osmnseg.models.modulators."""
