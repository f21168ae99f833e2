"""Print the environment (Python, TensorFlow, devices, CPU flags).

    python tools/misc/collect_env.py
"""
from osmnseg.utils.collect_env import env_report_text

if __name__ == '__main__':
    print(env_report_text())
