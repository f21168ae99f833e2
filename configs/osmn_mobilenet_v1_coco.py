# OSMN-lite stage 1: the COCO recipe with the MobileNet v1 variant (spec §3.7), initialised from
# TF-slim's mobilenet_v1_1.0_224.ckpt. Lite needs fixed multiples of 32 in the original; here
# any size works, so the multi-scale COCO schedule is kept.
_base_ = [
    './_base_/models/osmn_mobilenet_v1.py', './_base_/datasets/coco.py',
    './_base_/schedules/schedule_coco_300k.py', './_base_/default_runtime.py'
]
load_from = 'checkpoints/mobilenet_v1_1.0_224.ckpt'
