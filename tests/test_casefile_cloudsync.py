"""A warning when the data directory lies inside a folder that a cloud client synchronises."""
import pytest

from casefile_helpers import cli
from transkript_kernel.casefile.archive import Archive
from transkript_kernel.casefile.cloudsync import detect


@pytest.mark.parametrize("folder, provider", [
    ("OneDrive - Basisschool De Regenboog", "OneDrive"), ("OneDrive", "OneDrive"), ("Dropbox", "Dropbox"),
    ("Dropbox (Persoonlijk)", "Dropbox"), ("Google Drive", "Google Drive"), ("My Drive", "Google Drive"),
    ("iCloud Drive", "iCloud Drive"), ("Library/Mobile Documents/com~apple~CloudDocs", "iCloud Drive"),
    ("Nextcloud", "Nextcloud")])
def test_known_sync_folders_are_recognised(tmp_path, folder, provider):
    found = detect(tmp_path / folder / "school" / "transkript")
    assert found is not None and found.provider == provider
    nl, en = found.warning()
    assert provider in nl and "TRANSKRIPT_DATA" in en


@pytest.mark.parametrize("marker, provider", [(".dropbox", "Dropbox"), ("._sync_4f2a9c.db", "Nextcloud"),
                                              (".nextcloudsync.log", "Nextcloud")])
def test_sync_roots_with_other_names_are_recognised_by_marker_files(tmp_path, marker, provider):
    root = tmp_path / "Werk"
    (root / "data").mkdir(parents=True)
    (root / marker).write_text("")
    assert detect(root / "data").provider == provider


def test_ordinary_folders_give_no_warning_and_the_archive_and_cli_warn(tmp_path):
    assert detect(tmp_path / "Documenten" / "transkript") is None
    assert Archive(tmp_path / "plain").notices == []
    synced = tmp_path / "OneDrive - School" / "transkript"
    assert "OneDrive" in Archive(synced).notices[0].nl
    out = cli("archive", "list", data=synced)
    assert out.returncode == 0 and "OneDrive" in out.stderr and "OneDrive" not in out.stdout
