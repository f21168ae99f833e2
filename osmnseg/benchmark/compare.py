"""osmnseg against the original OSMN code, side by side in one process (issue 13's ratio table).

Each row times the original's graph (:mod:`osmnseg.benchmark.original`, float32) and then the
osmnseg model of the same architecture in every requested dtype, at the same size, on random
weights, each side followed by samples of the float32 reference convolution
(:class:`~osmnseg.benchmark.peak.ConvPeak`). The reference conv is the load gauge: when it ran
slower beside one side than beside the other, the machine was loaded unevenly and the ratio
(osmnseg time / original float32 time) is off by about that much.
"""
from terminaltables import AsciiTable

from osmnseg.benchmark import original as original_code
from osmnseg.benchmark.inference import benchmark_inference
from osmnseg.benchmark.peak import ConvPeak
from osmnseg.benchmark.training import benchmark_training, build_training, synthetic_batches
from osmnseg.datasets.pipelines import visual_guide_size

# (row name, original base_model, osmnseg model config key, work, default (H, W))
ROWS = (
    ('osvos VGG16, per frame', 'osvos', 'osvos', 'inference', (480, 854)),
    ('lite MobileNet, per frame', 'lite', 'lite', 'inference', (480, 864)),
    ('lite training step', 'lite', 'lite', 'train', (416, 416)),
)
LOAD_GAUGE_DTYPE = 'float32'  # the reference conv beside every side, whatever its dtype


def compare_with_original(checkout, configs, dtypes=('float32',), size=None, frames=10,
                          warmup=2, peak_repeats=5, batch_size=4, device=None, rows=None):
    """Time the rows of :data:`ROWS` on both sides.

    Args:
        checkout: folder of a linjieyangsc/video_seg checkout (never modified).
        configs: ``{'osvos': Config, 'lite': Config}`` of the osmnseg models.
        dtypes: osmnseg compute dtypes to time (the original always runs float32).
        size: ``(H, W)`` for every row instead of each row's default (e.g. a tiny test size).
        frames, warmup: timed and untimed frames (training iterations for the training row).
        peak_repeats: reference convolutions before each side's timed frames.
        batch_size: batch of the training row.
        device: an osmnseg device (or its name) for the osmnseg side; default: each config's
            device (:func:`~osmnseg.devices.device_config`).
        rows: names of :data:`ROWS` to run (default: all).

    Returns:
        dict ``mode='compare'``, ``rows`` (one dict per row: ``original_ms``,
        ``original_ref_gflops``, and per dtype ``ms``, ``ref_gflops``, ``ratio``), ``patches``
        (the patches applied to the temporary copy of the original), ``original``, ``dtypes``.
    """
    from osmnseg.apis import init_segmentor

    results = []
    with original_code.load_original(checkout) as original:
        for name, base_model, key, work, default_size in ROWS:
            if rows is not None and name not in rows:
                continue
            row_size = tuple(size or default_size)
            row = dict(name=name, work=work, size=list(row_size), osmnseg={},
                       batch_size=batch_size if work == 'train' else 1)
            peak = ConvPeak(LOAD_GAUGE_DTYPE)
            if work == 'train':
                timed = original_code.time_original_training(
                    original, base_model, batch_size, row_size, frames, warmup, peak,
                    peak_repeats)
                row['original_ms'] = timed['iter_s_median'] * 1e3
            else:
                timed = original_code.time_original_inference(
                    original, base_model, row_size, frames, warmup, peak, peak_repeats)
                row['original_ms'] = timed['frame_ms_median']
            row['original_ref_gflops'] = timed['peak_gflops']
            for dtype in dtypes:
                peak = ConvPeak(LOAD_GAUGE_DTYPE)
                cfg = configs[key]
                if work == 'train':
                    model, step = build_training(cfg, dtype, device)
                    guide_size = visual_guide_size(
                        (cfg.get('data') or {}).get('train', {}).get('pipeline'))
                    ours = benchmark_training(
                        model, step, synthetic_batches(batch_size, row_size,
                                                       guide_size=guide_size),
                        batch_size, row_size, frames, warmup, peak, peak_repeats, guide_size)
                    ms = ours['iter_s_median'] * 1e3
                else:
                    model = init_segmentor(cfg, None, device=device, dtype=dtype)
                    ours = benchmark_inference(model, row_size, 1, frames, warmup, peak,
                                               peak_repeats)
                    ms = ours['frame_ms_median']
                row['osmnseg'][dtype] = dict(ms=ms, ref_gflops=peak.gflops,
                                             ratio=ms / row['original_ms'])
                del model
            results.append(row)
        patches = list(original.patches)
    return dict(mode='compare', original=checkout, rows=results, patches=patches,
                dtypes=list(dtypes), load_gauge_dtype=LOAD_GAUGE_DTYPE)


def compare_table(result):
    """The ratio table of :func:`compare_with_original` as a terminaltables string."""
    header = ['model, work', 'size', 'original fp32 ms', 'ref GFLOP/s']
    for dtype in result['dtypes']:
        header += [f'osmnseg {dtype} ms', 'ref GFLOP/s', 'ratio']
    rows = [header]
    for row in result['rows']:
        size = 'x'.join(map(str, row['size']))
        if row['work'] == 'train':
            size += f' batch {row["batch_size"]}'
        line = [row['name'], size, f'{row["original_ms"]:.1f}',
                f'{row["original_ref_gflops"]:.0f}']
        for dtype in result['dtypes']:
            ours = row['osmnseg'][dtype]
            line += [f'{ours["ms"]:.1f}', f'{ours["ref_gflops"]:.0f}', f'{ours["ratio"]:.2f}']
        rows.append(line)
    title = 'osmnseg / original OSMN code (ratio = osmnseg time / original float32 time)'
    notes = ['', f'ref GFLOP/s: the {result["load_gauge_dtype"]} reference conv (peak.py) timed '
             'beside each side; unequal values = uneven load.',
             f'original: {result["original"]}, run from a temporary patched copy:']
    notes += [f'  - {patch}' for patch in result['patches']]
    return AsciiTable(rows, title).table + '\n'.join(notes)
