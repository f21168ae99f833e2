#!/usr/bin/env bash
# Environment of the Ascend ModelZoo entry points (source it: `source tools/ascend/env.sh`).
# Points at a default CANN toolkit install when one is present; harmless elsewhere.
if [ -f /usr/local/Ascend/ascend-toolkit/set_env.sh ]; then
    # shellcheck disable=SC1091
    source /usr/local/Ascend/ascend-toolkit/set_env.sh
fi
export JOB_ID=${JOB_ID:-10087}
export ASCEND_GLOBAL_LOG_LEVEL=${ASCEND_GLOBAL_LOG_LEVEL:-3}
export ASCEND_DEVICE_ID=${ASCEND_DEVICE_ID:-0}
