"""The osmnseg version, one place for setup.py, checkpoints' meta files and logs."""
__version__ = '0.1.0'
