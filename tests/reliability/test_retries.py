"""What a flaky Azure looks like through the console: reads retry briefly, then say what to do;
writes never run twice where running twice would change the outcome."""

from __future__ import annotations

import pytest
from reliability_faults import lose_response
from reliability_world import RG, SUB, World

from console.azure.retry import MAX_RETRY_AFTER, RETRY_TOTAL, is_idempotent
from console.errors import AuthRequiredError, ServiceError, ThrottledError
from console.masked import MaskedValue
from console.models import Permissions
from console.service import AzureService
from emulator.faults import install
from emulator.roles import KV_SECRETS_USER
from emulator.server import Emulator

SECRETS = "GET /secrets*"
VAULT = "GET */vaults/kv-ap"


def hits(requests: list[str], pattern: str) -> int:
    import fnmatch

    return sum(fnmatch.fnmatchcase(r, pattern) for r in requests)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/secrets", True),
        ("PUT", "/secrets/db-password", False),  # a new version each time
        ("PATCH", "/secrets/db-password/abc", True),
        ("DELETE", "/secrets/db-password", True),
        ("POST", "/deletedsecrets/db-password/recover", False),
        ("POST", "/x/providers/Microsoft.Logic/workflows/la/triggers/manual/run", False),
        ("POST", "/providers/Microsoft.ResourceGraph/resources", True),  # a query
        ("POST", "/v1.0/directoryObjects/getByIds", True),
        (
            "PUT",
            f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.KeyVault/vaults/"
            "kv-ap/accessPolicies/add",
            True,
        ),  # merges
        ("PUT", "/x/providers/Microsoft.Authorization/roleAssignments/0000", True),  # fixed name
        ("PATCH", "/x/providers/Microsoft.KeyVault/vaults/kv-ap", True),  # full networkAcls
    ],
)
def test_which_requests_may_be_sent_twice(method: str, path: str, expected: bool) -> None:
    assert is_idempotent(method, path) is expected


async def test_a_throttled_read_is_retried_after_retry_after(
    service: AzureService, emu: Emulator, requests: list[str]
) -> None:
    uri = emu.vault_uri("kv-ap")
    await service.list_secrets(uri)  # signed in: the vault's auth challenge is behind us
    requests.clear()
    injector = install(emu, "429@GET /secrets:2x,retry-after=0.1")
    secrets = await service.list_secrets(uri)
    assert [s.name for s in secrets] == ["db-password"]
    assert len(injector.injected) == 2 and requests == ["GET /secrets"] * 3


async def test_persistent_throttling_gives_up_with_a_retryable_error(
    service: AzureService, emu: Emulator, requests: list[str]
) -> None:
    install(emu, "429@GET /secrets,retry-after=0.05")
    with pytest.raises(ThrottledError) as err:
        await service.list_secrets(emu.vault_uri("kv-ap"))
    assert hits(requests, "GET /secrets") == RETRY_TOTAL + 1
    assert "retry in 0.05 s" in err.value.message and err.value.retry_after == 0.05


async def test_a_long_retry_after_is_not_waited_for(
    service: AzureService, emu: Emulator, requests: list[str]
) -> None:
    install(emu, f"429@GET /secrets,retry-after={MAX_RETRY_AFTER * 20:g}")
    with pytest.raises(ThrottledError) as err:
        await service.list_secrets(emu.vault_uri("kv-ap"))
    assert hits(requests, "GET /secrets") == 1  # the user is told when, the screen never hangs
    assert f"retry in {MAX_RETRY_AFTER * 20:g} s" in err.value.message


async def test_a_transient_503_on_arm_is_retried(
    service: AzureService, emu: Emulator, world: World, requests: list[str]
) -> None:
    install(emu, "503@GET */vaults/kv-ap:once")
    vault = await service.get_vault(world.vault_id("kv-ap"))
    assert vault.name == "kv-ap" and hits(requests, VAULT) == 2


async def test_a_lasting_503_becomes_a_service_error_saying_retry(
    service: AzureService, emu: Emulator, world: World, requests: list[str]
) -> None:
    service.connection.client_options["retry_backoff_factor"] = 0.01  # keep the test quick
    install(emu, "503@GET */vaults/kv-ap")
    with pytest.raises(ServiceError) as err:
        await service.get_vault(world.vault_id("kv-ap"))
    assert hits(requests, VAULT) == RETRY_TOTAL + 1
    assert "retry later" in err.value.message


async def test_a_dropped_read_is_retried_then_reported(
    service: AzureService, emu: Emulator, world: World, requests: list[str]
) -> None:
    injector = install(emu, "drop@GET */vaults/kv-ap:once")
    assert (await service.get_vault(world.vault_id("kv-ap"))).name == "kv-ap"
    assert len(injector.injected) == 1
    service.connection.client_options["retry_backoff_factor"] = 0.01
    await service.close()  # new clients pick up the quicker back-off
    install(emu, "drop@GET */vaults/kv-ap")
    with pytest.raises(ServiceError) as err:
        await service.get_vault(world.vault_id("kv-ap"))
    assert "check the network and retry" in err.value.message


@pytest.mark.parametrize("pattern", [VAULT, SECRETS])
async def test_a_token_expired_mid_session_asks_to_sign_in(
    service: AzureService, emu: Emulator, world: World, pattern: str
) -> None:
    uri = emu.vault_uri("kv-ap")
    await service.get_vault(world.vault_id("kv-ap"))  # signed in and working
    await service.list_secrets(uri)
    install(emu, f"expire@{pattern}:once")
    with pytest.raises(AuthRequiredError) as err:
        if pattern == VAULT:
            await service.get_vault(world.vault_id("kv-ap"))
        else:
            await service.list_secrets(uri)
    assert "Sign in again" in err.value.message and "az login" in err.value.message


# ---- writes ---------------------------------------------------------------------------------


def _policy(world: World, emu: Emulator, object_id: str) -> list[dict]:
    vault = emu.state.vaults[world.vault_id("kv-ap").lower()]
    return [p for p in vault["properties"]["accessPolicies"] if p["objectId"] == object_id]


@pytest.mark.parametrize("fault", ["drop", "lost"])
async def test_a_retried_access_policy_add_grants_once(
    service: AzureService, emu: Emulator, world: World, requests: list[str], fault: str
) -> None:
    pattern = "PUT */accessPolicies/add"
    if fault == "drop":
        install(emu, f"drop@{pattern}:once")
    else:
        lose_response(emu, pattern)
    oid = world.principals[0]
    vault = await service.add_access_policy(
        world.vault_id("kv-ap"), oid, Permissions(secrets=("get",))
    )
    assert hits(requests, pattern) == 2  # sent, lost, sent again
    entries = _policy(world, emu, oid)
    assert len(entries) == 1 and entries[0]["permissions"]["secrets"] == ["get"]
    assert [p.object_id for p in vault.access_policies].count(oid) == 1


@pytest.mark.parametrize("fault", ["drop", "lost"])
async def test_a_retried_role_assignment_assigns_once(
    service: AzureService, emu: Emulator, world: World, requests: list[str], fault: str
) -> None:
    pattern = "PUT */roleAssignments/*"
    if fault == "drop":
        install(emu, f"drop@{pattern}:once")
    else:
        lose_response(emu, pattern)
    scope, oid = world.vault_id("kv-rbac"), world.principals[1]
    created = await service.create_role_assignment(scope, KV_SECRETS_USER, oid)
    assert hits(requests, pattern) == 2
    mine = [
        ra for ra in emu.state.role_assignments.values() if ra["properties"]["principalId"] == oid
    ]
    assert len(mine) == 1 and mine[0]["name"] == created.name
    # and the wizard asking again (after a reported failure) finds it instead of adding one
    again = await service.create_role_assignment(scope, KV_SECRETS_USER, oid)
    assert again.name == created.name and hits(requests, pattern) == 2


def _versions(emu: Emulator) -> int:
    return len(emu.state.vault_secrets("kv-ap")["db-password"].versions)


@pytest.fixture
async def signed_in(service: AzureService, emu: Emulator, requests: list[str]) -> str:
    """The vault's URI, its auth challenge answered (mid-session), the request log cleared."""
    uri = emu.vault_uri("kv-ap")
    await service.list_secrets(uri)
    requests.clear()
    return uri


async def test_a_secret_set_whose_answer_was_lost_is_not_sent_again(
    service: AzureService, emu: Emulator, requests: list[str], signed_in: str
) -> None:
    # Sending it again would add a second version: the user re-reads and decides instead.
    lose_response(emu, "PUT /secrets/db-password")
    with pytest.raises(ServiceError) as err:
        await service.set_secret(signed_in, "db-password", MaskedValue("new-1"))
    assert requests == ["PUT /secrets/db-password"]
    assert _versions(emu) == 2
    assert "retry" in err.value.message


async def test_a_secret_set_failing_with_503_is_not_sent_again(
    service: AzureService, emu: Emulator, requests: list[str], signed_in: str
) -> None:
    install(emu, "503@PUT /secrets/db-password:once")
    with pytest.raises(ServiceError):
        await service.set_secret(signed_in, "db-password", MaskedValue("new-2"))
    assert requests == ["PUT /secrets/db-password"] and _versions(emu) == 1


async def test_a_throttled_secret_set_is_retried_once_accepted(
    service: AzureService, emu: Emulator, requests: list[str], signed_in: str
) -> None:
    install(emu, "429@PUT /secrets/db-password:once,retry-after=0.05")  # 429: not processed
    await service.set_secret(signed_in, "db-password", MaskedValue("new-3"))
    assert requests == ["PUT /secrets/db-password"] * 2 and _versions(emu) == 2


@pytest.mark.parametrize("fault", ["drop", "500"])
async def test_a_firewall_patch_is_retried_after_a_dropped_connection_or_500(
    service: AzureService, emu: Emulator, world: World, requests: list[str], fault: str
) -> None:
    from console.models import NetworkRules

    pattern = "PATCH */vaults/kv-ap"
    install(emu, f"{fault}@{pattern}:once")
    rules = NetworkRules(default_action="Deny", bypass="AzureServices", ip_rules=("198.51.100.7",))
    vault = await service.update_network_rules(world.vault_id("kv-ap"), rules)
    assert hits(requests, pattern) == 2  # refused or dropped once, sent again: same outcome
    assert vault.network.default_action == "Deny"
    assert vault.network.ip_rules == ("198.51.100.7/32",)
