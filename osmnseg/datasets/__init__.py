"""osmnseg.datasets."""
