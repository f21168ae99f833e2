"""YouTubeVOSMetric: no local figures; a format-only run is packaged for the server."""
import os
import zipfile

import pytest

from osmnseg.evaluation import SUBMISSION_ZIP, YouTubeVOSMetric
from osmnseg.utils.errors import ConfigError


@pytest.mark.parametrize('names', [['J'], ['mIoU'], ('J', 'F')])
def test_figures_are_refused_with_the_remedy(names):
    with pytest.raises(ConfigError, match='YouTube-VOS has no public ground truth .* use '
                                          '--format-only and submit the zip'):
        YouTubeVOSMetric(metrics=names)


def test_nothing_is_scored_or_read():
    def unread():
        raise AssertionError('YouTubeVOSMetric read a prediction')
        yield

    metric = YouTubeVOSMetric()
    metric.process(None, unread())
    assert metric.compute() == {} and metric.summarize([]).davis is None


def test_submission_layout_and_zip(tmp_path):
    metric = YouTubeVOSMetric()
    folder = metric.submission_folder(str(tmp_path))
    assert folder == os.path.join(str(tmp_path), 'Annotations')
    for video in ('vid_b', 'vid_a'):
        os.makedirs(os.path.join(folder, video))
        for frame in ('00005', '00000'):
            with open(os.path.join(folder, video, frame + '.png'), 'wb') as f:
                f.write(video.encode())
    path = metric.pack_submission(str(tmp_path))
    assert path == os.path.join(str(tmp_path), SUBMISSION_ZIP)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [f'Annotations/{v}/{f}.png' for v in ('vid_a', 'vid_b')
                                              for f in ('00000', '00005')]
        assert archive.read('Annotations/vid_b/00005.png') == b'vid_b'
