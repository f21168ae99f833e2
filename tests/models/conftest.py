"""Fixtures of the model tests."""
import pytest

from tiny_models import VARIANTS, tiny_model


@pytest.fixture(scope='session')
def models():
    """One tiny model per variant, built once per test session (read-only use)."""
    return {variant: tiny_model(variant) for variant in VARIANTS}
