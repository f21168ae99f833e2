"""osmnseg.utils."""
