#!/usr/bin/env bash
# Ascend ModelZoo full run: COCO stage 1 for 50,000 iterations on one NPU (as the Ascend port).
# bash tools/ascend/train_full_1p.sh --data_path=DIR [--device=npu|cpu] [--config=FILE] [--max_iters=N]
exec bash "$(dirname "$0")/run_modelzoo.sh" acc 50000 "$@"
