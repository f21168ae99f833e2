"""Writing a whole ToyVOS set into a folder: frames, annotations, split lists, COCO JSON and
the manifest (with a content hash over every annotation)."""
import hashlib
import json
import os

from PIL import Image

from osmnseg.datasets.toyvos.coco import coco_annotation, coco_categories
from osmnseg.datasets.toyvos.layout import (ANNOTATION_ROOT, IMAGE_ROOT, MANIFEST, YEARS,
                                            coco_json_path, frame_path, split_list_path)
from osmnseg.datasets.toyvos.manifest import GENERATOR_NAME, GENERATOR_VERSION, count_files
from osmnseg.datasets.toyvos.params import SPLITS
from osmnseg.datasets.toyvos.render import render_frame
from osmnseg.datasets.toyvos.scene import make_valid_scene
from osmnseg.datasets.toyvos.shapes import SHAPES
from osmnseg.io.palette import save_palette_png


def write_sequence(root, name, scene, params, coco, digest):
    """Write frames and annotations of one sequence; extend ``coco`` and the content hash."""
    categories = {obj.object_id: SHAPES.index(obj.shape['kind']) + 1
                  for obj in scene.objects if obj.object_id}
    for t in range(scene.num_frames):
        image, labels = render_frame(scene, t, (params.height, params.width))
        frame = f'{t:05d}'
        image_path = os.path.join(root, frame_path(IMAGE_ROOT, name, t, '.jpg'))
        os.makedirs(os.path.dirname(image_path), exist_ok=True)
        Image.fromarray(image).save(image_path, quality=params.jpeg_quality)
        save_palette_png(os.path.join(root, frame_path(ANNOTATION_ROOT, name, t, '.png')), labels)
        digest.update(f'{name}/{frame}:{labels.shape}'.encode())
        digest.update(labels.tobytes())
        if t % params.coco_frame_step:
            continue
        image_id = len(coco['images']) + 1
        coco['images'].append(dict(id=image_id, file_name=f'{name}/{frame}.jpg', sequence=name,
                                   frame_index=t, height=params.height, width=params.width))
        for object_id, category_id in sorted(categories.items()):
            mask = labels == object_id
            if mask.any():
                coco['annotations'].append(coco_annotation(
                    mask, len(coco['annotations']) + 1, image_id, category_id, object_id))


def sequence_names(params, split):
    """Names of the sequences of a split, e.g. ``['toy_val_000', ...]``."""
    count = params.num_train if split == 'train' else params.num_val
    return [f'toy_{split}_{i:03d}' for i in range(count)]


def write_dataset(root, params):
    """Generate the whole set into the (empty) folder ``root``; returns the manifest."""
    digest = hashlib.sha256(json.dumps(
        [GENERATOR_VERSION, params.to_dict()], sort_keys=True).encode())
    sequences = {}
    for split in SPLITS:
        coco = dict(images=[], annotations=[], categories=coco_categories(),
                    info=dict(description=f'ToyVOS {split} (osmnseg synthetic set)',
                              image_root=IMAGE_ROOT))
        names = sequence_names(params, split)
        for index, name in enumerate(names):
            scene = make_valid_scene(params, split, index)
            write_sequence(root, name, scene, params, coco, digest)
            sequences[name] = dict(split=split, num_frames=scene.num_frames,
                                   object_ids=list(range(1, scene.num_targets + 1)),
                                   num_distractors=len(scene.objects) - scene.num_targets)
        for year in YEARS:
            _write_text(os.path.join(root, split_list_path(year, split)), names)
        _write_json(os.path.join(root, coco_json_path(split)), coco)
    manifest = dict(generator=GENERATOR_NAME, generator_version=GENERATOR_VERSION,
                    params=params.to_dict(), file_count=count_files(root),
                    content_hash=digest.hexdigest(), sequences=sequences)
    _write_json(os.path.join(root, MANIFEST), manifest)
    return manifest


def _write_text(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))


def _write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, sort_keys=True, separators=(',', ':'))
