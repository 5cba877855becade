"""Replay real Azure exchanges (the Azure CLI's vcrpy cassettes) against a fresh emulator.

Each recorded request is sent, in order, to the emulator with the recorded subscription, tenant
and principal ids mapped onto the emulator's tenant. Per request we compare what a client relies
on: the status code, the error ``code`` of an error, and that no JSON key Azure answered with is
missing from the emulator's answer (recursively; lists item by item; values may differ).
The agreement figure of every cassette is printed with the test's result; the assertion
message carries it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import yaml
from azure.identity import ClientSecretCredential

from emulator import factories
from emulator.seeds import build_state, stable_guid
from emulator.server import Emulator, EmulatorThread
from tests.conftest import AZURE_RECORDINGS

CASSETTES = (
    "test_keyvault_network_rule",
    "test_role_assignment_at_scope",
    "test_workflow_identity",
)
AZURE = "https://management.azure.com"
RECORDED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# Resource types the console never reads or writes: their requests (and their async operation
# polls) are not replayed. The vault PUTs that name their subnets still are.
SKIPPED = ("/providers/microsoft.network/",)
# Keys whose recorded value names an object of the recorded tenant: once both answers carry one,
# later requests use the emulator's value instead (e.g. the principal id of a new identity).
LEARNED_IDS = ("tenantId", "principalId", "clientId")


@dataclass
class Tally:
    compared: int = 0
    skipped: int = 0
    status_agree: int = 0
    errors: int = 0
    error_codes_agree: int = 0
    missing_keys: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)

    def summary(self, name: str) -> str:
        return (
            f"{name}: {self.compared} requests replayed ({self.skipped} Microsoft.Network skipped);"
            f" status {self.status_agree}/{self.compared},"
            f" error codes {self.error_codes_agree}/{self.errors},"
            f" missing keys {len(self.missing_keys)}"
        )


def _interactions(name: str) -> list[dict[str, Any]]:
    with open(AZURE_RECORDINGS / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["interactions"]


def _resource_groups(interactions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The resource groups the recording assumes exist (the CLI's test harness made them), with
    the location and tags Azure showed for them if the recording reads one."""
    found: dict[str, dict[str, Any]] = {}
    for item in interactions:
        match = re.search(r"/resourcegroups/([^/?]+)(\?|$)?", item["request"]["uri"], re.I)
        if not match:
            continue
        shown = _json(item["response"]["body"]["string"]) if match.group(2) is not None else None
        if isinstance(shown, dict) and shown.get("type") == "Microsoft.Resources/resourceGroups":
            found[match.group(1)] = shown
        else:
            found.setdefault(match.group(1), {})
    return found


@pytest.fixture
def emulator_for() -> Iterator[Any]:
    threads: list[EmulatorThread] = []

    def start(interactions: list[dict[str, Any]]) -> tuple[Emulator, str]:
        state = build_state("empty")
        sid = stable_guid("sub-0")
        for rg, shown in _resource_groups(interactions).items():
            made = factories.add_resource_group(state, sid, rg, shown.get("location", "westus"))
            if "tags" in shown:
                made["tags"] = shown["tags"]
        thread = EmulatorThread(state)
        threads.append(thread)
        return thread.start(), sid

    yield start
    for thread in threads:
        thread.stop()


def _token(emu: Emulator) -> str:
    cred = ClientSecretCredential(
        emu.state.tenant_id,
        emu.state.info["demo_client_id"],
        emu.state.info["demo_client_secret"],
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )
    return cred.get_token("https://management.azure.com/.default").token


def _mapped(text: str, ids: dict[str, str]) -> str:
    for recorded, ours in ids.items():
        text = re.sub(re.escape(recorded), ours, text, flags=re.IGNORECASE)
    return text


def _missing(azure: Any, ours: Any, ids: dict[str, str], path: str = "$") -> Iterator[str]:
    """Paths of keys present in Azure's answer but not in ours (lists compared item-wise).

    A key that is itself a resource id (``userAssignedIdentities``) is looked up mapped onto the
    emulator's ids, with the same case: a client looks it up as the id it knows."""
    if isinstance(azure, dict):
        if not isinstance(ours, dict):
            yield f"{path} (not an object)"
            return
        for key, value in azure.items():
            mine = key if key in ours else _mapped(key, ids)
            if mine not in ours:
                yield f"{path}.{key}"
            else:
                yield from _missing(value, ours[mine], ids, f"{path}.{key}")
    elif isinstance(azure, list):
        if not isinstance(ours, list):
            yield f"{path} (not a list)"
            return
        for i, value in enumerate(azure):
            if i >= len(ours):
                yield f"{path}[{i}]"
            else:
                yield from _missing(value, ours[i], ids, f"{path}[{i}]")


def _learn(azure: Any, ours: Any, ids: dict[str, str]) -> None:
    if isinstance(azure, dict) and isinstance(ours, dict):
        for key, value in azure.items():
            if key not in ours:
                continue
            mine = ours[key]
            if key in LEARNED_IDS and isinstance(value, str) and isinstance(mine, str) and value:
                if value != mine:
                    ids.setdefault(value, mine)
            else:
                _learn(value, mine, ids)
    elif isinstance(azure, list) and isinstance(ours, list):
        for a, o in zip(azure, ours, strict=False):
            _learn(a, o, ids)


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def replay(emu: Emulator, sid: str, interactions: list[dict[str, Any]]) -> Tally:
    ids = {RECORDED_SUBSCRIPTION: sid}
    headers = {"Authorization": f"Bearer {_token(emu)}", "Content-Type": "application/json"}
    tally = Tally()
    for n, item in enumerate(interactions):
        request, response = item["request"], item["response"]
        if any(part in request["uri"].lower() for part in SKIPPED):
            tally.skipped += 1
            continue
        url = emu.base_url + _mapped(request["uri"].removeprefix(AZURE), ids)
        body = request.get("body")
        answer = requests.request(
            request["method"],
            url,
            data=_mapped(body, ids).encode() if body else None,
            headers=headers,
            verify=str(emu.ca_path),
            timeout=10,
        )
        where = f"#{n} {request['method']} {request['uri'].removeprefix(AZURE)[:120]}"
        tally.compared += 1
        expected = response["status"]["code"]
        azure, ours = _json(response["body"]["string"]), _json(answer.text)
        if answer.status_code == expected:
            tally.status_agree += 1
        else:
            tally.disagreements.append(f"{where}: status {answer.status_code} != {expected}")
        if expected >= 400:
            tally.errors += 1
            want = (azure or {}).get("error", {}).get("code")
            got = (ours or {}).get("error", {}).get("code") if isinstance(ours, dict) else None
            if want == got:
                tally.error_codes_agree += 1
            else:
                tally.disagreements.append(f"{where}: error code {got!r} != {want!r}")
        missing = list(_missing(azure, ours, ids))
        tally.missing_keys += [f"{where}: {path}" for path in missing]
        _learn(azure, ours, ids)
    return tally


@pytest.mark.parametrize("name", CASSETTES)
def test_recorded_azure_exchange_replays_identically(
    name: str, emulator_for, capsys: pytest.CaptureFixture[str]
) -> None:
    interactions = _interactions(name)
    emu, sid = emulator_for(interactions)
    tally = replay(emu, sid, interactions)
    summary = tally.summary(name)
    with capsys.disabled():  # the agreement figure belongs in every test run's output
        print(f"\n{summary}")
    problems = "\n".join(tally.disagreements + tally.missing_keys)
    assert tally.compared > 0
    assert not problems, f"{summary}\n{problems}"
