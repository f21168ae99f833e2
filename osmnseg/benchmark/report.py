"""Benchmark results as a terminal table and a JSON file."""
import json
import os
import platform

from terminaltables import AsciiTable

from osmnseg.benchmark.agreement import LADDER_EXPONENTS

# (key, label, format) in display order; keys missing from a result are skipped.
ROWS = (
    ('config', 'config', '{}'), ('mode', 'mode', '{}'), ('dtype', 'compute dtype', '{}'),
    ('frames_total', 'frames (end to end)', '{}'),
    ('end_to_end_fps', 'end to end frames/s (read to last PNG)', '{:.2f}'),
    ('model_alone_fps', 'model alone frames/s (timed between the sequences)', '{:.2f}'),
    ('model_alone_frames', 'model alone frames timed', '{}'),
    ('end_to_end_ratio', 'end to end / model alone', '{:.2f}'),
    ('loop_model_fps', "the loop's model calls frames/s", '{:.2f}'),
    ('stages', 'loop stages', '{}'),
    ('size', 'size (H, W)', '{}'), ('objects', 'objects per frame', '{}'),
    ('batch_size', 'batch size', '{}'), ('frame_ms_median', 'frame time median (ms)', '{:.1f}'),
    ('frame_ms_p90', 'frame time p90 (ms)', '{:.1f}'), ('fps', 'frames/s', '{:.2f}'),
    ('compare_objects', 'compared with objects per frame', '{}'),
    ('compare_frame_ms_median', 'compared frame time median (ms)', '{:.1f}'),
    ('objects_time_ratio', 'frame time ratio (objects / compared)', '{:.2f}'),
    ('first_frame_s', 'first frame incl. tracing (s)', '{:.2f}'),
    ('guide_ms_per_object', 'visual modulator per object (ms)', '{:.1f}'),
    ('guide_gflop_per_object', 'visual modulator GFLOP per object', '{:.2f}'),
    ('gflop_per_frame', 'GFLOP per frame', '{:.2f}'),
    ('iter_s_median', 'iteration median (s)', '{:.3f}'), ('iter_s_p90', 'iteration p90 (s)', '{:.3f}'),
    ('first_iter_s', 'first iteration incl. tracing (s)', '{:.2f}'),
    ('images_per_s', 'images/s', '{:.2f}'), ('data_time_s_median', 'data_time median (s)', '{:.4f}'),
    ('data_time_fraction', 'data_time fraction', '{:.1%}'),
    ('gflop_per_iter', 'GFLOP per iteration (fwd+bwd)', '{:.1f}'),
    ('achieved_gflops', 'achieved GFLOP/s', '{:.1f}'),
    ('peak_gflops', 'measured conv peak GFLOP/s', '{:.1f}'),
    ('peak_fraction', 'fraction of conv peak', '{:.1%}'),
    ('kernel_floor_ms', 'kernel floor: ops run alone, summed (ms)', '{:.1f}'),
    ('kernel_floor_best_dtype_ms', 'kernel floor, faster of fp32/bf16 per op (ms)', '{:.1f}'),
    ('iteration_over_floor', 'iteration / kernel floor', '{:.2f}'),
    ('kernel_lower_bound_ms', 'lower bound: one-thread floor / cores (ms)', '{:.1f}'),
    ('kernel_best_dtype_lower_bound_ms', 'lower bound, faster dtype per op (ms)', '{:.1f}'),
    ('video_frames', 'video frames', '{}'), ('rss_start_mb', 'RSS after 20 frames (MiB)', '{:.0f}'),
    ('rss_end_mb', 'RSS at the end (MiB)', '{:.0f}'),
    ('rss_growth_mb', 'RSS growth after 20 frames (MiB)', '{:.1f}'),
    ('peak_rss_mb', 'peak RSS (MiB)', '{:.0f}'),
    ('reference_dtype', 'reference dtype', '{}'), ('agreement_frames', 'frames compared', '{}'),
    ('agreement_j_min', 'J min', '{:.4f}'), ('agreement_j_mean', 'J mean', '{:.4f}'),
    ('agreement_fraction_ge_098', 'frames with J >= 0.98', '{:.1%}'),
    ('same_guides_j_min', 'same guides: J min', '{:.4f}'),
    ('same_guides_j_mean', 'same guides: J mean', '{:.4f}'),
    ('same_guides_fraction_ge_098', 'same guides: frames with J >= 0.98', '{:.1%}'),
    ('control_j_min', 'control (float32, rounded weights): J min', '{:.4f}'),
    ('control_j_mean', 'control (float32, rounded weights): J mean', '{:.4f}'),
    ('control_fraction_ge_098', 'control (float32, rounded weights): frames with J >= 0.98',
     '{:.1%}'),
) + tuple((f'perturbed_e{k}_fraction_ge_098',
           f'float32, weights x (1 +- 2^-{k}): frames with J >= 0.98', '{:.1%}')
          for k in LADDER_EXPONENTS)


def kernel_floor_table(floor, top=15):
    """The op types of a ``result['kernel_floor']`` (:func:`~osmnseg.benchmark.kernel_floor.
    kernel_floor`) with the most time alone, and the ops that could not be timed alone."""
    rows = [['op type', 'ops', 'ms alone', 'ms, faster dtype']]
    for name, entry in list(floor['types'].items())[:top]:
        rows.append([name, entry['count'], f'{entry["ms"]:.1f}',
                     f'{entry.get("best_dtype_ms", entry["ms"]):.1f}'])
    rest = list(floor['types'].values())[top:]
    if rest:
        rows.append(['(other types)', sum(e['count'] for e in rest),
                     f'{sum(e["ms"] for e in rest):.1f}',
                     f'{sum(e.get("best_dtype_ms", e["ms"]) for e in rest):.1f}'])
    lines = [AsciiTable(rows, 'kernel floor: every op of the step run alone').table]
    for reason, counts in floor['untimed'].items():
        listed = ', '.join(f'{name} x{count}' for name, count in counts.items())
        lines.append(f'not timed ({reason}): {listed}')
    return '\n'.join(lines)


def machine_info():
    """CPU model, logical cores, TensorFlow and Python versions."""
    import tensorflow as tf

    from osmnseg.utils.machine import read_cpu_info

    return dict(cpu=read_cpu_info()['model_name'], cores=os.cpu_count(),
                tensorflow=tf.__version__, python=platform.python_version())


def results_table(result, title='osmnseg benchmark'):
    """A two-column terminaltables ``AsciiTable`` string of the known keys of ``result``."""
    rows = [['metric', 'value']]
    for key, label, fmt in ROWS:
        value = result.get(key)
        if value is not None:
            rows.append([label, fmt.format(value)])
    return AsciiTable(rows, title).table


def write_json(path, result):
    """Write ``result`` (JSON-serialisable dict) to ``path``, creating its folder."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write('\n')


def profile_table(profile, top=15):
    """The op types of a ``result['profile']`` (``benchmark_inference`` / ``_training``) with
    the most thread time per frame or iteration, or where the trace is when it was not read."""
    lines = [f'profile of {profile["calls"]} more frames/iterations: {profile["dir"]}']
    times = profile.get('op_type_ms')
    if times is None:
        return '\n'.join(lines + ['(pip install xprof to print the time per op type here; '
                                   'or open the folder with TensorBoard / xprof)'])
    rows = [['op type', 'thread ms per frame/iteration']]
    rows += [[name, f'{ms:.1f}'] for name, ms in list(times.items())[:top]]
    return '\n'.join(lines) + '\n' + AsciiTable(rows).table
