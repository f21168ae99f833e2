"""Install osmnseg: ``pip install -e .`` (CPU) or ``pip install -e ".[gpu]"`` (NVIDIA GPU)."""
import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


VIDEO_REQUIREMENTS = ['imageio>=2.20', 'imageio-ffmpeg>=0.4']
# tools/webui.py: FastAPI + uvicorn serve the page, python-multipart parses uploads, OpenCV's
# GrabCut makes a mask from a box (the headless wheel: no GUI libraries)
WEBUI_REQUIREMENTS = ['fastapi>=0.100', 'uvicorn>=0.22', 'python-multipart>=0.0.13',
                      'opencv-python-headless>=4.5', *VIDEO_REQUIREMENTS]
PLOT_REQUIREMENTS = ['matplotlib>=3.5']  # tools/misc/analyze_logs.py plot_curve
# tools/export.py --format onnx (tf2onnx, onnx) and python -m osmnseg.runtime on ONNX Runtime;
# --format tflite and the runtime on LiteRT (ai-edge-litert). The runtime needs no TensorFlow.
ONNX_REQUIREMENTS = ['onnxruntime>=1.17', 'tf2onnx>=1.16', 'onnx>=1.14']
LITERT_REQUIREMENTS = ['ai-edge-litert>=1.2']


def read_version():
    namespace = {}
    with open(os.path.join(HERE, 'osmnseg', 'version.py')) as f:
        exec(f.read(), namespace)  # our own file, not user input
    return namespace['__version__']


def read_requirements():
    with open(os.path.join(HERE, 'requirements.txt')) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith('#')]


setup(
    name='osmnseg',
    version=read_version(),
    description='OSMN video object segmentation toolkit on TensorFlow 2',
    long_description=open(os.path.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*')),
    package_data={'osmnseg.webui': ['static/*']},  # the web app's page (HTML, JS, CSS)
    python_requires='>=3.10',
    install_requires=read_requirements(),
    extras_require={
        # The GPU wheel of TensorFlow; install it instead of tensorflow-cpu on CUDA machines.
        'gpu': ['tensorflow[and-cuda]>=2.16'],
        # scipy: the boundary-F cross-check against scipy.ndimage (tests only)
        # webui + FastAPI's TestClient (httpx2; httpx for older Starlette) + selenium (the
        # browser test drives chromium)
        # import-linter: the layer contracts of .importlinter (tests/test_architecture.py)
        # plot (its curve is drawn), xprof (benchmark --profile's op table is read): so that
        # every test runs; what else tests need is listed in tests/requirements.py
        'test': ['pytest>=7', 'pytest-xdist>=3', 'scipy>=1.8', *WEBUI_REQUIREMENTS,
                 'httpx2', 'httpx>=0.24', 'selenium>=4.11', 'import-linter>=2.0',
                 *PLOT_REQUIREMENTS, 'xprof', *ONNX_REQUIREMENTS, *LITERT_REQUIREMENTS],
        'plot': PLOT_REQUIREMENTS,
        # tools/benchmark.py --compare-original: the 2018 OSMN code runs on tf_slim, whose
        # batch_norm needs tf_keras (keep its version equal to TensorFlow's, e.g. 2.21.x; it
        # depends on the `tensorflow` wheel, which pip then installs beside tensorflow-cpu)
        'compare': ['tf_slim>=1.1', 'tf_keras'],
        'video': VIDEO_REQUIREMENTS,
        'webui': WEBUI_REQUIREMENTS,
        'onnx': ONNX_REQUIREMENTS,
        'litert': LITERT_REQUIREMENTS,
    },
    license='Apache-2.0',
)
