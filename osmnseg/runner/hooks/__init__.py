"""osmnseg.runner.hooks."""
