"""osmnseg.runner."""
