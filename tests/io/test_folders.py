"""Data folders (osmnseg/io/folders.py): listing frames, split lists, safe names."""
import pytest

from osmnseg.io.folders import (FRAME_EXTENSIONS, by_stem, check_safe_name, list_files,
                                read_split_list)
from osmnseg.utils.errors import DataError


def test_list_files_sorts_matches_extensions_case_insensitively_and_skips_hidden(tmp_path):
    for name in ['00002.JPG', '00001.jpg', '00003.png', '._00001.jpg', '.DS_Store', 'notes.txt']:
        (tmp_path / name).write_bytes(b'')
    (tmp_path / 'sub.jpg').mkdir()  # a folder is not a frame
    assert list_files(str(tmp_path), FRAME_EXTENSIONS, 'frame') == ['00001.jpg', '00002.JPG',
                                                                    '00003.png']
    assert list_files(str(tmp_path), ('.png',), 'annotation') == ['00003.png']


def test_list_files_of_a_missing_folder_names_it(tmp_path):
    with pytest.raises(DataError, match=r'annotation folder .*nowhere does not exist'):
        list_files(str(tmp_path / 'nowhere'), ('.png',), 'annotation')


def test_by_stem_maps_stems_to_paths():
    assert by_stem('/d', ['00000.jpg', '00001.png']) == {'00000': '/d/00000.jpg',
                                                         '00001': '/d/00001.png'}


def test_read_split_list_strips_lines_and_rejects_unsafe_names(tmp_path):
    split = tmp_path / 'val.txt'
    split.write_text('bear\n\n  bike \n')
    assert read_split_list(str(split)) == ['bear', 'bike']
    split.write_text('bear\n../../etc\n')
    with pytest.raises(DataError, match=r"val\.txt names '\.\./\.\./etc'"):
        read_split_list(str(split))
    with pytest.raises(DataError, match=r'split list .*absent\.txt does not exist'):
        read_split_list(str(tmp_path / 'absent.txt'))


@pytest.mark.parametrize('name', ['', '/etc/passwd', '..', 'a/../b', 'a\\b', 'a/b'])
def test_check_safe_name_rejects_names_that_leave_their_folder(name):
    with pytest.raises(DataError, match='index.json names'):
        check_safe_name(name, 'index.json')


def test_check_safe_name_accepts_subfolders_only_when_allowed():
    check_safe_name('bear', 'index.json')
    check_safe_name('train2017/0001.jpg', 'index.json', allow_subfolders=True)
