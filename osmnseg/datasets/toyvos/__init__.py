"""ToyVOS: a deterministic synthetic video object segmentation set, written like DAVIS 2017.

Every code path of osmnseg can run on it without downloading anything. A scene is a textured,
slowly panning background with 1..``max_objects`` annotated objects and a few un-annotated
distractors. Each object has a procedural shape (ellipse, rounded rectangle, star, blob) and a
procedural texture (stripes, checkers, dots, gradient, noise) in its own colours; it moves
smoothly, grows and shrinks, and rotates. Objects occlude each other in a fixed depth order (an
annotation holds only the visible part), some leave the frame and come back, and each
distractor copies the shape of a target in a different texture and colour, so that only the
appearance tells them apart.

Layout written into ``out_dir`` (the official DAVIS 2017 layout plus a COCO-style JSON):

    JPEGImages/480p/<seq>/00000.jpg ...      frames, RGB JPEG
    Annotations/480p/<seq>/00000.png ...     palette PNGs, object ids 1..n, 0 = background
    ImageSets/2017/{train,val}.txt           sequence names
    ImageSets/2016/{train,val}.txt           the same names (2016 ground truth = union of ids)
    annotations/instances_{train,val}.json   COCO instances over every ``coco_frame_step``-th
                                             frame; ``file_name`` is relative to JPEGImages/480p
    manifest.json                            params, generator version, file count, content hash

Sequence ``toy_<split>_<i>`` depends only on ``(seed, split, i)``, so adding sequences keeps the
existing ones unchanged.

Modules, one job each: ``params`` (what determines a set), ``shapes``, ``appearance`` (colours,
textures, backgrounds), ``motion`` (trajectories, pan), ``scene`` (drawing a sequence),
``render`` (one frame), ``coco`` (RLE instances), ``layout`` (file paths), ``manifest`` (which
files are the set's own), ``writer`` (a whole set) and ``generate`` (safe generation into a
folder). The copy-first-frame baseline score lives in :mod:`osmnseg.evaluation.baselines`.
"""
from osmnseg.datasets.toyvos.generate import ensure_toyvos, generate_toyvos
from osmnseg.datasets.toyvos.layout import ANNOTATION_ROOT, IMAGE_ROOT, MANIFEST
from osmnseg.datasets.toyvos.manifest import is_current, read_manifest
from osmnseg.datasets.toyvos.motion import make_trajectory
from osmnseg.datasets.toyvos.params import ToyVOSParams
from osmnseg.datasets.toyvos.render import render_frame
from osmnseg.datasets.toyvos.scene import ToyObject, ToyScene, make_scene, make_valid_scene

__all__ = ['ToyVOSParams', 'ToyObject', 'ToyScene', 'generate_toyvos', 'ensure_toyvos',
           'is_current', 'read_manifest', 'make_scene', 'make_valid_scene', 'make_trajectory',
           'render_frame', 'IMAGE_ROOT', 'ANNOTATION_ROOT', 'MANIFEST']
