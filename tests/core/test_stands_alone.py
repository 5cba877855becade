"""The repository stands alone: nothing at test time reads the workspace's shared/ folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import _OUTSIDE, AZURE_API


def test_a_read_outside_the_repository_is_refused() -> None:
    with pytest.raises(PermissionError, match="outside the repository"):
        (_OUTSIDE / "azure-api" / "SOURCES.md").read_text()


def test_azure_examples_are_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[2]
    assert AZURE_API.is_relative_to(root)
    assert (AZURE_API / "SOURCES.md").is_file()
    assert any((AZURE_API / "keyvault-mgmt").glob("*.json"))
