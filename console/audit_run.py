"""`kvconsole audit`: load what the audit needs through the adapters, print, exit by severity."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from console.audit import AuditInput, audit, severity_rank
from console.audit_report import FORMATS
from console.errors import ConsoleError

if TYPE_CHECKING:
    from console.service import AzureService

EXIT_FINDINGS = 1
EXIT_ERROR = 2


async def collect(
    service: AzureService, subscription_ids: list[str]
) -> tuple[AuditInput, list[str]]:
    """Everything the rules read; what could not be read goes to *problems* (the rest goes on)."""
    problems: list[str] = []
    if not subscription_ids:
        subscription_ids = [s.subscription_id for s in await service.list_subscriptions()]
    vaults, logic_apps = [], []
    for sub in subscription_ids:
        try:
            vaults += await service.list_vaults(sub)
            logic_apps += await service.list_logic_apps(sub)
        except ConsoleError as exc:
            problems.append(f"subscription {sub}: {exc.message}")
    role_assignments, secrets = {}, {}
    for vault in vaults:
        try:
            if vault.rbac_authorization:
                role_assignments[vault.id] = await service.list_role_assignments(vault.id)
            secrets[vault.id] = await service.list_secrets(vault.uri)
        except ConsoleError as exc:
            problems.append(f"vault {vault.name}: {exc.title}: {exc.message.splitlines()[0]}")
    object_ids = {p.object_id for v in vaults for p in v.access_policies}
    object_ids |= {ra.principal_id for ras in role_assignments.values() for ra in ras}
    directory = None
    try:
        directory = await service.resolve_principals(object_ids)
    except ConsoleError as exc:
        problems.append(f"directory: {exc.message} (orphaned principals not checked)")
    data = AuditInput(
        vaults=vaults,
        logic_apps=logic_apps,
        role_assignments=role_assignments,
        secrets=secrets,
        directory=directory,
    )
    return data, problems


async def _run(args: argparse.Namespace) -> int:
    from console.service import AzureService

    demo = None
    if args.demo:
        from console.demo import start_demo

        demo = start_demo(args.seed, args.state)
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
    sys.stdout.write(FORMATS[args.format](findings))
    for problem in problems:
        print(f"kvconsole audit: not checked: {problem}", file=sys.stderr)
    threshold = severity_rank(args.fail_on)
    return EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
