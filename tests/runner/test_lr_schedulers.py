"""LR schedules: values at given iterations (iterations count from 1)."""
import math

import pytest

from osmnseg.runner.lr_schedulers import build_lr_schedule
from osmnseg.utils.errors import RegistryError


def test_constant_is_the_original_schedule():
    schedule = build_lr_schedule(None, 1e-6, 50000)
    assert [schedule(i) for i in (1, 25000, 50000)] == [1e-6] * 3


def test_step_is_the_original_two_runs_in_one():
    # stage 1: 1e-5 up to iteration 200k, 1e-6 from 200,001 on (spec §5.5)
    schedule = build_lr_schedule(dict(policy='step', step=[200000], gamma=0.1), 1e-5, 300000)
    assert schedule(1) == 1e-5 and schedule(200000) == 1e-5
    assert schedule(200001) == pytest.approx(1e-6) and schedule(300000) == pytest.approx(1e-6)


def test_step_with_several_steps_and_min_lr():
    schedule = build_lr_schedule(dict(policy='step', step=[10, 20], gamma=0.5, min_lr=0.3), 1.0,
                                 30)
    assert [schedule(i) for i in (10, 11, 20, 21)] == [1.0, 0.5, 0.5, 0.3]


def test_poly():
    schedule = build_lr_schedule(dict(policy='poly', power=2.0, min_lr=0.1), 1.1, 10)
    assert schedule(1) == pytest.approx(1.1)
    assert schedule(6) == pytest.approx(1.0 * 0.5 ** 2 + 0.1)


def test_cosine():
    schedule = build_lr_schedule(dict(policy='cosine', min_lr=0.0), 2.0, 100)
    assert schedule(1) == pytest.approx(2.0)
    assert schedule(51) == pytest.approx(1.0)
    assert schedule(101) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize('warmup, first', [('constant', 0.1), ('linear', 0.1),
                                           ('exp', 0.1)])
def test_warmup(warmup, first):
    schedule = build_lr_schedule(dict(policy='constant', warmup=warmup, warmup_iters=5,
                                      warmup_ratio=0.1), 1.0, 100)
    assert schedule(1) == pytest.approx(first)
    # mmcv semantics with 0-based progress (3 - 1) / 5 = 0.4 at iteration 3
    expected_mid = {'constant': 0.1, 'linear': 1 - 0.6 * 0.9, 'exp': 0.1 ** 0.6}[warmup]
    assert schedule(3) == pytest.approx(expected_mid)
    assert schedule(6) == 1.0


def test_warmup_applies_to_the_regular_schedule():
    schedule = build_lr_schedule(dict(policy='cosine', warmup='linear', warmup_iters=10,
                                      warmup_ratio=0.0), 1.0, 100)
    regular = 0.5 * (1 + math.cos(math.pi * 4 / 100))
    assert schedule(5) == pytest.approx(regular * 0.4)


def test_unknown_policy_names_the_key():
    with pytest.raises(RegistryError, match="'triangle' is not in the lr scheduler registry"):
        build_lr_schedule(dict(policy='triangle'), 1.0, 10)


def test_bad_warmup_is_rejected():
    with pytest.raises(Exception, match="warmup must be None, 'constant', 'linear' or 'exp'"):
        build_lr_schedule(dict(policy='constant', warmup='cubic'), 1.0, 10)
