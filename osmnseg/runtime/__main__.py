"""``python -m osmnseg.runtime``: see :mod:`osmnseg.runtime.command`."""
from osmnseg.runtime.command import main

main()
