"""osmnseg.models.heads."""
