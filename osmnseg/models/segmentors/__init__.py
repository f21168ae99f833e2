"""osmnseg.models.segmentors."""
