#!/usr/bin/env bash
# Ascend ModelZoo performance run: a short fixed number of iterations (500) on one NPU.
# bash tools/ascend/train_performance_1p.sh --data_path=DIR [--device=npu|cpu] [--config=FILE] [--max_iters=N]
exec bash "$(dirname "$0")/run_modelzoo.sh" perf 500 "$@"
