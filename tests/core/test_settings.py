"""Settings: defaults, round trip, and a broken file kept aside with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.settings import Settings, load_settings, save_settings, settings_path


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    result = load_settings(tmp_path / "settings.json")
    assert result.settings == Settings()
    assert result.settings.reveal_timeout == 30 and result.settings.clipboard_timeout == 30
    assert result.problem is None


def test_round_trip_in_the_platform_config_dir(isolated_dirs: Path) -> None:
    settings = Settings(
        auth_mode="service_principal",
        tenant_id="t",
        client_id="c",
        subscriptions=("s1",),
        reveal_timeout=5,
        theme="nord",
    )
    settings = settings.with_pinned("https://kv1.vault.azure.net")
    path = save_settings(settings)
    assert path == settings_path() and str(isolated_dirs) in str(path)
    assert load_settings().settings == settings
    data = json.loads(path.read_text())
    assert data["pinned_vaults"] == ["https://kv1.vault.azure.net/"]
    assert "secret" not in json.dumps(data).lower()


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"reveal_timeout": "soon"}', '{"auth_mode": "password"}'],
)
def test_a_broken_file_is_kept_aside_and_defaults_used(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    result = load_settings(path)
    assert result.settings == Settings()
    assert result.moved_to is not None and result.moved_to.read_text() == content
    assert not path.exists()
    assert str(path) in result.problem and str(result.moved_to) in result.problem


def test_pinning_twice_keeps_one_and_rejects_non_https() -> None:
    s = (
        Settings()
        .with_pinned("https://a.vault.azure.net/")
        .with_pinned("https://a.vault.azure.net")
    )
    assert s.pinned_vaults == ("https://a.vault.azure.net/",)
    assert s.without_pinned("https://a.vault.azure.net").pinned_vaults == ()
    with pytest.raises(ValueError):
        Settings().with_pinned("http://a.vault.azure.net")


def test_a_file_that_is_not_utf8_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xff\xfe{")
    result = load_settings(path)
    assert result.settings == Settings() and result.moved_to is not None
    assert result.moved_to.read_bytes() == b"\xff\xfe{"  # nothing the user had is lost
    assert "could not be read" in (result.problem or "")


def test_a_directory_in_place_of_the_file_gives_defaults_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()
    result = load_settings(path)
    assert result.settings == Settings() and path.is_dir()
    assert str(path) in (result.problem or "")


@pytest.mark.parametrize(("given", "expected"), [("1e999", 3600.0), ("1e-7", 1.0), ("45", 45.0)])
def test_reveal_and_clipboard_timeouts_are_clamped(
    tmp_path: Path, given: str, expected: float
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(f'{{"reveal_timeout": {given}, "clipboard_timeout": {given}}}')
    settings = load_settings(path).settings
    assert (settings.reveal_timeout, settings.clipboard_timeout) == (expected, expected)


def test_the_settings_folder_is_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        save_settings(Settings(), tmp_path / "cfg" / "kvconsole" / "settings.json")
    finally:
        os.umask(old)
    assert (tmp_path / "cfg").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "cfg" / "kvconsole").stat().st_mode & 0o777 == 0o700
