"""Validation during training: the runner runs the evaluator it was given, hooks receive the
metrics as an argument, ``evaluation.save_best`` configures the checkpoint hook."""
import pytest

from osmnseg.runner.hooks import Hook
from osmnseg.runner.hooks.checkpoint_hook import CheckpointHook
from osmnseg.runner.hooks.eval_hook import EvalHook
from osmnseg.utils.errors import ConfigError
from runner_utils import build_tiny_runner, write_config

EVALUATION = "evaluation = dict(interval=2, metric=['J', 'F'], save_best='J&F-Mean')\n"


class RecordMetrics(Hook):
    def __init__(self):
        self.received = []

    def after_val(self, runner, metrics):
        self.received.append(dict(metrics))


@pytest.fixture(scope='module')
def config(tmp_path_factory, tiny_toyvos):
    return write_config(tmp_path_factory.mktemp('validation'), tiny_toyvos, EVALUATION)


def test_validate_runs_the_evaluator_and_hands_metrics_to_hooks(config, tmp_path):
    scores = iter([0.25, 0.5])
    evaluated = []

    def evaluator(model):
        evaluated.append(model)
        return {'J&F-Mean': next(scores)}

    runner = build_tiny_runner(config, tmp_path / 'work_dir')
    runner.evaluator = evaluator
    recorder = RecordMetrics()
    runner.register_hook(recorder)
    runner.prepare()
    runner.set_iteration(2)
    runner.get_hook(EvalHook).after_train_iter(runner)
    assert evaluated == [runner.model] and recorder.received == [{'J&F-Mean': 0.25}]
    assert runner.validate() == {'J&F-Mean': 0.5} == runner.val_metrics
    checkpoint = runner.get_hook(CheckpointHook)
    assert checkpoint is runner.get_hook('CheckpointHook')
    assert checkpoint.save_best == 'J&F-Mean' and checkpoint.best_score == 0.5
    assert (tmp_path / 'work_dir' / 'best_JF_Mean.index').is_file()


def test_a_runner_without_evaluator_refuses_to_validate(config, tmp_path):
    runner = build_tiny_runner(config, tmp_path / 'work_dir')
    with pytest.raises(ConfigError, match='no evaluator'):
        runner.validate()
