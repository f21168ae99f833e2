"""Runner hooks (HOOKS registry). Every module of this folder registers its hooks on import."""
from osmnseg.runner.hooks.hook import PRIORITIES, Hook, get_priority

__all__ = ['Hook', 'PRIORITIES', 'get_priority']
