"""`kvconsole audit`: load what the audit needs through the adapters, print, exit by severity."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from console.access_check import connector_vaults
from console.audit import AuditInput, audit, severity_rank
from console.audit_report import FORMATS, NotChecked
from console.diagnosis import keyvault_connection_ids
from console.errors import ConsoleError

if TYPE_CHECKING:
    from console.service import AzureService

EXIT_FINDINGS = 1
EXIT_ERROR = 2


async def collect(
    service: AzureService, subscription_ids: list[str]
) -> tuple[AuditInput, list[NotChecked]]:
    """Everything the rules read; what could not be read goes to *problems* (the rest goes on)."""
    problems: list[NotChecked] = []
    visible = [s.subscription_id for s in await service.list_subscriptions()]
    if not subscription_ids:
        subscription_ids = visible
    known = {s.lower() for s in visible}
    vaults, logic_apps = [], []
    for sub in subscription_ids:
        if sub.lower() not in known:
            reason = "not a subscription this sign-in can see (check the id and your access)"
            problems.append(NotChecked(f"/subscriptions/{sub}", reason))
            continue
        try:
            vaults += await service.list_vaults(sub)
            logic_apps += await service.list_logic_apps(sub)
        except ConsoleError as exc:
            problems.append(NotChecked(f"/subscriptions/{sub}", exc.message))
    role_assignments, secrets = {}, {}
    for vault in vaults:
        try:
            if vault.rbac_authorization:
                role_assignments[vault.id] = await service.list_role_assignments(vault.id)
            secrets[vault.id] = await service.list_secrets(vault.uri)
        except ConsoleError as exc:
            reason = f"{exc.title}: {exc.message.splitlines()[0]}"
            problems.append(NotChecked(vault.id, reason))
    object_ids = {p.object_id for v in vaults for p in v.access_policies}
    object_ids |= {ra.principal_id for ras in role_assignments.values() for ra in ras}
    directory = None
    try:
        directory = await service.resolve_principals(object_ids)
    except ConsoleError as exc:
        reason = f"{exc.message} (orphaned principals and user grants not checked)"
        problems.append(NotChecked("directory (Microsoft Graph)", reason))
    # Many Logic Apps share one connection: each is read once.
    connection_ids = [cid for la in logic_apps for cid in keyvault_connection_ids(la)]
    connectors = await connector_vaults(service, connection_ids)
    data = AuditInput(
        vaults=vaults,
        logic_apps=logic_apps,
        role_assignments=role_assignments,
        secrets=secrets,
        directory=directory,
        vault_audience=service.vault_audience,
        connector_vaults=connectors,
    )
    return data, problems


async def _run(args: argparse.Namespace) -> int:
    from console.service import AzureService

    demo = None
    if args.demo:
        from console.demo import start_demo

        try:
            demo = start_demo(args.seed, args.state)
        except ConsoleError as exc:
            print(f"kvconsole audit: {exc.message}", file=sys.stderr)
            return EXIT_ERROR
        connection = demo.connection()
    else:
        from console.azure.connection import Connection
        from console.clouds import CLOUDS

        connection = Connection.for_azure(
            CLOUDS[args.cloud], tenant_id=args.tenant, subscription_ids=tuple(args.subscription)
        )
    service = AzureService(connection, read_only=True)
    try:
        data, problems = await collect(service, list(args.subscription))
    except ConsoleError as exc:
        print(f"kvconsole audit: {exc.title}: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        await service.close()
        if demo is not None:
            demo.stop()
    findings = audit(data)
    sys.stdout.write(FORMATS[args.format](findings, problems))
    for problem in problems:
        line = f"kvconsole audit: not checked: {problem.resource}: {problem.reason}"
        print(line, file=sys.stderr)
    if problems:
        return EXIT_ERROR  # an incomplete audit must not pass a pipeline
    threshold = severity_rank(args.fail_on)
    return EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
