"""osmnseg.evaluation."""
