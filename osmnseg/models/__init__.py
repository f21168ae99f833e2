"""osmnseg.models."""
