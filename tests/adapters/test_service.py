"""The facade's guarantees: read-only mode, typed errors for sign-in and throttling, lazy imports,
who am I, and the demo session."""

from __future__ import annotations

import subprocess
import sys

import pytest
from adapter_world import SUB, World, connect

from console.azure.connection import Connection
from console.demo import start_demo
from console.errors import AuthRequiredError, ReadOnlyError, ServiceError, ThrottledError
from console.masked import MaskedValue
from console.models import NetworkRules, Permissions, WorkflowIdentity
from console.service import AzureService
from emulator.faults import install
from emulator.roles import KV_SECRETS_USER
from emulator.server import Emulator


async def test_read_only_refuses_every_write_before_any_request(
    emu: Emulator, world: World
) -> None:
    seen: list[str] = []

    async def count(request) -> None:
        seen.append(f"{request.method} {request.path}")

    emu.before_request.append(count)
    vid, wid, uri = world.vault_id("kv-open"), world.workflow_id("la-none"), "https://x.invalid/"
    perms = Permissions(secrets=("get",))
    writes = [
        lambda s: s.add_access_policy(vid, world.reader_id, perms),
        lambda s: s.replace_access_policy(vid, world.reader_id, perms),
        lambda s: s.remove_access_policy(vid, world.reader_id),
        lambda s: s.update_network_rules(vid, NetworkRules(default_action="Deny")),
        lambda s: s.create_role_assignment(vid, KV_SECRETS_USER, world.reader_id),
        lambda s: s.delete_role_assignment(f"{vid}/providers/Microsoft.Authorization/x/y"),
        lambda s: s.enable_system_identity(wid),
        lambda s: s.set_identity_none(wid),
        lambda s: s.restore_identity(wid, WorkflowIdentity()),
        lambda s: s.set_secret(uri, "n", MaskedValue("v")),
        lambda s: s.update_secret_properties(uri, "n", enabled=False),
        lambda s: s.delete_secret(uri, "n"),
        lambda s: s.recover_deleted_secret(uri, "n"),
        lambda s: s.purge_deleted_secret(uri, "n"),
    ]
    async with AzureService(connect(emu, world), read_only=True) as service:
        for write in writes:
            with pytest.raises(ReadOnlyError):
                await write(service)
    assert seen == []


async def test_import_service_does_not_import_azure() -> None:
    code = (
        "import sys, console.service, console.demo, console.azure.connection; "
        "print(sorted(m for m in sys.modules if m == 'azure' or m.startswith('azure.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


async def test_whoami_reads_the_token(service: AzureService, world: World) -> None:
    me = await service.whoami()
    assert me.object_id == world.admin_id and me.kind == "ServicePrincipal"
    assert me.app_id == world.app_ids["admin"]


async def test_wrong_client_secret_says_sign_in(emu: Emulator, world: World) -> None:
    conn = Connection.for_emulator(
        emu.base_url, emu.ca_path, emu.state.tenant_id, world.app_ids["admin"], "wrong-pw"
    )
    async with AzureService(conn) as service:
        with pytest.raises(AuthRequiredError) as err:
            await service.list_subscriptions()
    assert "az login" in err.value.message and "wrong-pw" not in err.value.message


async def test_expired_token_on_arm_is_auth_required(service: AzureService, emu: Emulator) -> None:
    install(emu, "expire@GET */providers/Microsoft.KeyVault/vaults*")
    with pytest.raises(AuthRequiredError):
        await service.list_vaults(SUB)


async def test_throttling_reports_retry_after(service: AzureService, emu: Emulator) -> None:
    install(emu, "429@GET /secrets,retry-after=0.05")
    with pytest.raises(ThrottledError) as err:
        await service.list_secrets(emu.vault_uri("kv-open"))
    assert err.value.retry_after == pytest.approx(0.05)
    assert "VaultRequestTypeLimitReached" in err.value.message


async def test_unreachable_vault_is_service_error(service: AzureService) -> None:
    service.connection.client_options["retry_total"] = 0  # no back-off in a test
    with pytest.raises(ServiceError):
        await service.list_secrets("https://127.0.0.1:9/")


async def test_close_is_idempotent(emu: Emulator, world: World) -> None:
    service = AzureService(connect(emu, world))
    assert await service.list_subscriptions()
    await service.close()
    await service.close()


async def test_demo_session_signs_in_to_the_demo_tenant() -> None:
    demo = start_demo("demo")
    try:
        async with AzureService(demo.connection()) as service:
            subs = await service.list_subscriptions()
            assert len(subs) >= 2
            vaults = [v for s in subs for v in await service.list_vaults(s.subscription_id)]
            assert vaults and all(v.uri.startswith("https://127.0.0.1:") for v in vaults)
            assert (await service.whoami()).object_id
    finally:
        demo.stop()
