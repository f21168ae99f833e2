# Real video, the recommended recipe: OSMN-lite steered by the matching modulator instead of
# the visual (one vector per object) and Gaussian spatial (one blob per object) modulators.
# Every pixel of the frame is compared with the annotated frame's object and background pixels
# (global) and with the previous frame's pixels within +-4 cells of the 1/8 grid (local); the
# matching maps and the previous mask become per-pixel shifts of Conv2d_5/11/13 and a guidance
# map the head reads (docs/models.md, "The matching modulator").
# Data, sizes, ImageNet initialisation and the frame augmentation are those of the OSMN-lite
# recipe it inherits. Trained on the 30 DAVIS 2016 training sequences in one
# `python tools/train.py` run on a 2-core CPU, bf16 where the CPU has fast bf16; tested on the
# ten dev val sequences (docs/training.md, "The matching recipe").
_base_ = './osmn_mobilenet_v1_davis2016.py'
model = dict(
    # Conv2d_5 (stride 8) is the matching source; it, 11 and 13 are shifted.
    backbone=dict(modulated_layers=(5, 11, 13)),
    visual_modulator=None,
    spatial_modulator=None,
    # The annotated frame is pooled to stride 16 for global matching (4x fewer products).
    matching_modulator=dict(type='MatchingModulator', source_layer='Conv2d_5_pointwise',
                            embed_channels=64, hidden_channels=64, local_radius=4,
                            global_pool=2),
    # The guidance map is read by the head as one more side (stride 8).
    head=dict(in_features=('Conv2d_1_pointwise', 'Conv2d_3_pointwise', 'Conv2d_5_pointwise',
                           'Conv2d_11_pointwise', 'Conv2d_13_pointwise', 'matching')))
frame_keys = ('image', 'label', 'prev_image', 'prev_mask')
rgb_unit = dict(mode='rgb_unit')  # the TF-slim MobileNet input convention
load_frames = _base_.load_pipeline + [
    dict(type='LoadFrame', path_key='prev_image_path', out_key='prev_image')]
# The frame and its previous frame zoom, shift and flip together (local matching compares them
# cell by cell); the annotated frame (a random frame of the sequence) on its own.
frame_zoom = dict(type='RandomScaleCrop', scale_range=(0.6, 1.0), prob=0.5, keys=frame_keys)
frame_flip = dict(type='RandomFlip', prob=0.5, flagged_only=False, keys=frame_keys)
guide_and_packing = [
    dict(type='RandomScaleCrop', scale_range=(0.7, 1.0), prob=0.5,
         keys=('guide_image', 'guide_mask')),
    dict(type='RandomFlip', prob=0.5, flagged_only=False, keys=('guide_image', 'guide_mask')),
    dict(type='Resize', image_keys=('image', 'guide_image', 'prev_image'),
         mask_keys=('label', 'prev_mask', 'guide_mask')),
    dict(type='Normalize', keys=('image', 'guide_image', 'prev_image'), **rgb_unit),
    dict(type='PackInputs', keys=('image', 'label', 'guide_image', 'guide_mask', 'prev_image',
                                  'prev_mask')),
]
train_pipeline = load_frames + [frame_zoom, frame_flip] + guide_and_packing
test_pipeline = _base_.load_pipeline + [
    dict(type='Resize', size=_base_.test_size),
    dict(type='Normalize', **rgb_unit),
]
# tools/test.py --online-finetune ITERS trains on the annotated frame alone, which is also its
# own previous frame there: moved by nothing, it would teach the model to copy the previous
# mask. The previous frame and mask get a zoom and shift of their own (as 1-3 frames of motion
# would give) between the frame's zoom and its flip.
previous_frame_motion = dict(type='RandomScaleCrop', scale_range=(0.8, 1.0), prob=1.0,
                             keys=('prev_image', 'prev_mask'))
# The fine-tuned weights are then moved half-way back to the trained ones (WiSE-FT): one frame
# teaches the object's look at that moment, and objects whose look changes later (dust, pose)
# lose less (dev J&F with --online-finetune 200: seed 0 0.7995 -> 0.808, seed 1 0.796 -> 0.806).
online_finetune = dict(pipeline=load_frames + [frame_zoom, previous_frame_motion, frame_flip]
                       + guide_and_packing, finetuned_weight=0.5)
# Several objects: the objects' probabilities are aggregated (background = product of the
# objects' complements, then a softmax over the odds) and each object's next previous mask is
# its region of the merged mask.
test_cfg = dict(merge='soft')
data = dict(
    train=dict(pipeline=train_pipeline),
    val=dict(pipeline=test_pipeline),
    test=dict(pipeline=test_pipeline))
# New layers from scratch beside the ImageNet ones: twice the lite recipe's rate, and 3,600
# iterations (a step costs about what the lite recipe's did: no visual modulator pass).
optimizer = dict(lr=2e-4)
runner = dict(max_iters=3600)
# bf16 compute where the CPU has fast bf16 (AVX512-BF16 / AMX), float32 elsewhere, in training
# and at test time (dev J&F bf16 0.763 vs float32 0.764 with the seed-0 model; bf16 runs 17.5
# frames/s end to end there). --dtype float32 at test time overrides it.
custom_hooks = [dict(type='MixedPrecisionHook')]
inference_dtype = 'fast_bf16'
