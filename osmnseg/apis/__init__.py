"""osmnseg.apis."""
