"""Two-object clips by pasting: the composite frames, ids, occlusion and placement."""
import numpy as np

from osmnseg.datasets.pasted_clips import HOST_ID, PASTED_ID, paste_offset, pasted_clip


def clip(count, size, box, color):
    """``count`` frames of one colour with a box object (moving right by 2 px per frame)."""
    frames = []
    for index in range(count):
        frame = np.full(size + (3,), 40, np.uint8)
        mask = np.zeros(size, np.uint8)
        y0, x0, y1, x1 = box
        mask[y0:y1, x0 + 2 * index:x1 + 2 * index] = 1
        frame[mask == 1] = color
        frames.append((frame, mask))
    return frames


def test_pasted_object_goes_where_the_host_object_is_not_and_occludes_it():
    host = clip(3, (40, 60), (20, 30, 40, 60), (200, 0, 0))  # object in the bottom-right
    donor = clip(2, (40, 60), (0, 0, 40, 60), (0, 0, 255))  # the whole donor frame
    frames = list(pasted_clip(host, donor, scale=0.5))
    assert len(frames) == 2  # the shorter clip
    frame, index = frames[0]
    assert paste_offset(host[0][1] == 1, np.ones((20, 30), bool)) == (0, 0)
    assert (index[:20, :30] == PASTED_ID).all() and (frame[:20, :30] == (0, 0, 255)).all()
    np.testing.assert_array_equal(index[20:, 30:], HOST_ID)
    assert set(np.unique(index)) == {0, HOST_ID, PASTED_ID}


def test_paste_occludes_the_host_where_they_overlap():
    host = clip(1, (20, 20), (0, 0, 20, 20), (200, 0, 0))  # the host fills the frame
    donor = clip(1, (20, 20), (0, 0, 10, 20), (0, 0, 255))
    (frame, index), = pasted_clip(host, donor, scale=0.5)
    assert (index == PASTED_ID).sum() == 50 and (index == HOST_ID).sum() == 350
