"""osmnseg.models.backbones."""
