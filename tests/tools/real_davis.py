"""Small DAVIS 2016 folders cut from the real data of ``../shared/data`` (first frames of a few
sequences), shared by the real-video tool tests."""
import os
import shutil

from requirements import DAVIS_DEV as DEV, DAVIS_TRAIN as TRAIN  # noqa: F401  (for the tests)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEQUENCES = ('blackswan', 'dog')
FRAMES = 4
DAVIS_SIZE = (480, 854)


def copy_davis_frames(source, target, sequences, frames, split):
    """Copy the first ``frames`` frames and masks of ``sequences`` from the DAVIS 2016 folder
    ``source`` into ``target`` with the split list ``ImageSets/2016/<split>.txt``."""
    for kind, ext in (('JPEGImages', '.jpg'), ('Annotations', '.png')):
        for sequence in sequences:
            folder = os.path.join(target, kind, '480p', sequence)
            os.makedirs(folder)
            for index in range(frames):
                shutil.copy(os.path.join(source, kind, '480p', sequence, f'{index:05d}{ext}'),
                            folder)
    os.makedirs(os.path.join(target, 'ImageSets', '2016'))
    with open(os.path.join(target, 'ImageSets', '2016', f'{split}.txt'), 'w') as file:
        file.write('\n'.join(sequences) + '\n')
    return str(target)
