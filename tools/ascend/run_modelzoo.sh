#!/usr/bin/env bash
# Shared body of train_full_1p.sh and train_performance_1p.sh (Ascend ModelZoo conventions).
# Usage: run_modelzoo.sh MODE DEFAULT_ITERS [--data_path=DIR] [--device=npu|cpu|gpu]
#        [--config=FILE] [--max_iters=N] [--batch_size=N]
# Like ModelZoo's test scripts, everything goes to ./output/$ASCEND_DEVICE_ID/ below the current
# folder: the training log train_$ASCEND_DEVICE_ID.log, the work dir, <CaseName>.log and
# <CaseName>_loss.txt.
set -euo pipefail
mode=$1; default_iters=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck disable=SC1091
source "$here/env.sh"

data_path=""; device=npu; config="$repo/configs/osmn_vgg16_coco.py"; max_iters=$default_iters; batch_size=8
for arg in "$@"; do
    case $arg in
        --data_path=*) data_path=${arg#*=} ;;
        --device=*) device=${arg#*=} ;;
        --config=*) config=${arg#*=} ;;
        --max_iters=*) max_iters=${arg#*=} ;;
        --batch_size=*) batch_size=${arg#*=} ;;
        *) echo "unknown argument $arg (known: --data_path --device --config --max_iters --batch_size)" >&2; exit 2 ;;
    esac
done
case_name="OSMN_ID1103_for_TensorFlow_bs${batch_size}_1p_${mode}"
out_dir="$(pwd)/output/$ASCEND_DEVICE_ID"
work_dir="$out_dir/work_dir_${mode}"
mkdir -p "$out_dir"
log="$out_dir/train_$ASCEND_DEVICE_ID.log"

options=("runner.max_iters=$max_iters" "data.samples_per_gpu=$batch_size")
if [ -n "$data_path" ]; then
    options+=("data.train.data_root=$data_path/data")
    if [ -f "$data_path/models/vgg_16.ckpt" ] || [ -f "$data_path/models/vgg_16.ckpt.index" ]; then
        options+=("load_from=$data_path/models/vgg_16.ckpt")
    fi
fi

start=$(date +%s)
python "$repo/tools/train.py" "$config" --device "$device" --work-dir "$work_dir" \
    --no-validate --cfg-options "${options[@]}" > "$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
end=$(date +%s)

python "$here/modelzoo_summary.py" --work-dir "$work_dir" --case-name "$case_name" \
    --batch-size "$batch_size" --e2e-seconds $((end - start)) --out-dir "$out_dir"
