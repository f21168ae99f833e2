"""osmnseg.models.losses."""
