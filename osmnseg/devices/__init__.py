"""osmnseg.devices."""
