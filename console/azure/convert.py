"""SDK objects -> the frozen models of console/models.py (and back, for the few writes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from console.masked import MaskedValue
from console.models import (
    AccessPolicy,
    DeletedSecret,
    LogicApp,
    NetworkRules,
    Permissions,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    Secret,
    SecretProperties,
    Subscription,
    UserAssignedIdentity,
    UserAssignedRef,
    Vault,
    VirtualNetworkRule,
    WorkflowIdentity,
    parse_resource_id,
)


def text(value: Any, default: str = "") -> str:
    """An SDK enum member or plain string as its wire value."""
    if value is None:
        return default
    return str(getattr(value, "value", value))


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(text(v) for v in values or ())


def _tags(tags: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in (tags or {}).items()))


def _ids(resource_id: str) -> tuple[str, str]:
    parts = parse_resource_id(resource_id)
    return parts.get("subscriptions", ""), parts.get("resourcegroups", "")


# ---- ARM ---------------------------------------------------------------------------------
def subscription(sub: Any) -> Subscription:
    return Subscription(
        subscription_id=sub.subscription_id,
        display_name=sub.display_name or sub.subscription_id,
        tenant_id=sub.tenant_id or "",
        state=text(sub.state, "Enabled"),
    )


def resource_group(rg: Any) -> ResourceGroup:
    sub, _ = _ids(rg.id)
    return ResourceGroup(id=rg.id, name=rg.name, subscription_id=sub, location=rg.location or "")


def resource_group_json(row: Mapping[str, Any]) -> ResourceGroup:
    sub, _ = _ids(row["id"])
    return ResourceGroup(
        id=row["id"], name=row["name"], subscription_id=sub, location=row.get("location") or ""
    )


def permissions(perms: Any) -> Permissions:
    if perms is None:
        return Permissions()
    # azure-mgmt-keyvault 14 models are dicts too: `.keys` is the dict method, hence keys_property
    return Permissions(
        keys=_strs(perms.keys_property),
        secrets=_strs(perms.secrets),
        certificates=_strs(perms.certificates),
        storage=_strs(perms.storage),
    )


def access_policy(entry: Any) -> AccessPolicy:
    return AccessPolicy(
        tenant_id=entry.tenant_id or "",
        object_id=entry.object_id,
        permissions=permissions(entry.permissions),
        application_id=entry.application_id or None,
    )


def network_rules(acls: Any) -> NetworkRules:
    if acls is None:  # never set: Azure omits networkAcls and the vault is open
        return NetworkRules()
    return NetworkRules(
        default_action=text(acls.default_action, "Allow"),
        bypass=text(acls.bypass, "AzureServices"),
        ip_rules=tuple(r.value for r in acls.ip_rules or ()),
        virtual_network_rules=tuple(
            VirtualNetworkRule(r.id, bool(r.ignore_missing_vnet_service_endpoint))
            for r in acls.virtual_network_rules or ()
        ),
    )


def vault(v: Any) -> Vault:
    props = v.properties
    sub, rg = _ids(v.id)
    soft_delete = props.enable_soft_delete
    return Vault(
        id=v.id,
        name=v.name,
        subscription_id=sub,
        resource_group=rg,
        location=v.location or "",
        uri=props.vault_uri or "",
        tenant_id=props.tenant_id or "",
        sku=text(props.sku.name if props.sku else None, "standard"),
        soft_delete=True if soft_delete is None else bool(soft_delete),
        retention_days=props.soft_delete_retention_in_days or 90,
        purge_protection=bool(props.enable_purge_protection),
        rbac_authorization=bool(props.enable_rbac_authorization),
        public_network_access=text(props.public_network_access, "Enabled"),
        access_policies=tuple(access_policy(e) for e in props.access_policies or ()),
        network=network_rules(props.network_acls),
        tags=_tags(v.tags),
    )


def _permissions_json(perms: Mapping[str, Any] | None) -> Permissions:
    if perms is None:
        return Permissions()
    return Permissions(
        keys=_strs(perms.get("keys")),
        secrets=_strs(perms.get("secrets")),
        certificates=_strs(perms.get("certificates")),
        storage=_strs(perms.get("storage")),
    )


def _network_json(acls: Mapping[str, Any] | None) -> NetworkRules:
    if acls is None:
        return NetworkRules()
    return NetworkRules(
        default_action=text(acls.get("defaultAction"), "Allow"),
        bypass=text(acls.get("bypass"), "AzureServices"),
        ip_rules=tuple(r["value"] for r in acls.get("ipRules") or ()),
        virtual_network_rules=tuple(
            VirtualNetworkRule(r["id"], bool(r.get("ignoreMissingVnetServiceEndpoint")))
            for r in acls.get("virtualNetworkRules") or ()
        ),
    )


def vault_json(v: Mapping[str, Any]) -> Vault:
    """A vault as ARM sent it (JSON names) -> the same model as `vault` builds from the SDK's
    object. azure-mgmt-keyvault 14 models are such mappings too, and reading them by JSON name
    skips the per-attribute decoding that made a listing's conversion cost more than its HTTP."""
    props = v.get("properties") or {}
    sub, rg = _ids(v["id"])
    sku = props.get("sku")
    soft_delete = props.get("enableSoftDelete")
    retention = props.get("softDeleteRetentionInDays")
    return Vault(
        id=v["id"],
        name=v["name"],
        subscription_id=sub,
        resource_group=rg,
        location=v.get("location") or "",
        uri=props.get("vaultUri") or "",
        tenant_id=props.get("tenantId") or "",
        sku=text(sku.get("name") if sku else None, "standard"),
        soft_delete=True if soft_delete is None else bool(soft_delete),
        retention_days=int(retention) if retention else 90,
        purge_protection=bool(props.get("enablePurgeProtection")),
        rbac_authorization=bool(props.get("enableRbacAuthorization")),
        public_network_access=text(props.get("publicNetworkAccess"), "Enabled"),
        access_policies=tuple(
            AccessPolicy(
                tenant_id=e.get("tenantId") or "",
                object_id=e["objectId"],
                permissions=_permissions_json(e.get("permissions")),
                application_id=e.get("applicationId") or None,
            )
            for e in props.get("accessPolicies") or ()
        ),
        network=_network_json(props.get("networkAcls")),
        tags=_tags(v.get("tags")),
    )


def vault_item(v: Any) -> Vault:
    """`vault_json` where the SDK's model is a mapping (azure-mgmt-keyvault 14), else `vault`."""
    return vault_json(v) if isinstance(v, Mapping) else vault(v)


def pinned_vault(vault_uri: str) -> Vault:
    """What we know of a vault added by URI: its address and a name from the host."""
    host = urlsplit(vault_uri).hostname or vault_uri
    name = host.split(".")[0] if not host.replace(".", "").isdigit() else urlsplit(vault_uri).netloc
    uri = vault_uri if vault_uri.endswith("/") else vault_uri + "/"
    return Vault(
        id=f"pinned:{uri}",
        name=name,
        subscription_id="",
        resource_group="",
        location="",
        uri=uri,
        tenant_id="",
        pinned=True,
    )


def sdk_permissions(perms: Permissions) -> Any:
    from azure.mgmt.keyvault import models

    return models.Permissions(
        keys_property=list(perms.keys),
        secrets=list(perms.secrets),
        certificates=list(perms.certificates),
        storage=list(perms.storage),
    )


def sdk_network_rules(rules: NetworkRules) -> Any:
    from azure.mgmt.keyvault import models

    return models.NetworkRuleSet(
        default_action=rules.default_action,
        bypass=rules.bypass,
        ip_rules=[models.IPRule(value=ip) for ip in rules.ip_rules],
        virtual_network_rules=[
            models.VirtualNetworkRule(
                id=r.id,
                ignore_missing_vnet_service_endpoint=(r.ignore_missing_vnet_service_endpoint),
            )
            for r in rules.virtual_network_rules
        ],
    )


def role_assignment(ra: Any, role_name: str = "") -> RoleAssignment:
    return RoleAssignment(
        id=ra.id,
        name=ra.name,
        scope=ra.scope or "",
        role_definition_id=ra.role_definition_id,
        principal_id=ra.principal_id,
        principal_type=text(ra.principal_type, "ServicePrincipal"),
        role_name=role_name,
    )


def role_definition(rd: Any) -> RoleDefinition:
    perms = rd.permissions or []
    return RoleDefinition(
        id=rd.id,
        name=rd.name,
        role_name=rd.role_name or rd.name,
        data_actions=tuple(a for p in perms for a in p.data_actions or ()),
        actions=tuple(a for p in perms for a in p.actions or ()),
        not_data_actions=tuple(a for p in perms for a in p.not_data_actions or ()),
    )


def workflow_identity(identity: Any) -> WorkflowIdentity:
    if identity is None:
        return WorkflowIdentity()
    refs = tuple(
        UserAssignedRef(rid, ua.principal_id or "", ua.client_id or "")
        for rid, ua in (identity.user_assigned_identities or {}).items()
    )
    return WorkflowIdentity(
        type=text(identity.type, "None"),
        principal_id=identity.principal_id,
        tenant_id=identity.tenant_id,
        user_assigned=refs,
    )


def _addresses(endpoints: Any) -> tuple[str, ...]:
    if endpoints is None:
        return ()
    return tuple(ip.address for ip in endpoints.outgoing_ip_addresses or () if ip.address)


def logic_app(wf: Any) -> LogicApp:
    sub, rg = _ids(wf.id)
    endpoints = wf.endpoints_configuration
    params = {
        k: (p.as_dict() if hasattr(p, "as_dict") else p) for k, p in (wf.parameters or {}).items()
    }
    changed = wf.changed_time
    return LogicApp(
        id=wf.id,
        name=wf.name,
        subscription_id=sub,
        resource_group=rg,
        location=wf.location or "",
        state=text(wf.state, "NotSpecified"),
        identity=workflow_identity(wf.identity),
        workflow_outgoing_ips=_addresses(endpoints.workflow if endpoints else None),
        connector_outgoing_ips=_addresses(endpoints.connector if endpoints else None),
        definition=dict(wf.definition or {}),
        parameters=params,
        changed_time=changed.isoformat() if hasattr(changed, "isoformat") else changed,
    )


_PARAMETER_FIELDS = ("type", "value", "metadata", "description")  # msrest's WorkflowParameter


def identity_json(identity: Mapping[str, Any] | None) -> WorkflowIdentity:
    if identity is None:
        return WorkflowIdentity()
    refs = tuple(
        UserAssignedRef(rid, (ua or {}).get("principalId") or "", (ua or {}).get("clientId") or "")
        for rid, ua in (identity.get("userAssignedIdentities") or {}).items()
    )
    return WorkflowIdentity(
        type=text(identity.get("type"), "None"),
        principal_id=identity.get("principalId"),
        tenant_id=identity.get("tenantId"),
        user_assigned=refs,
    )


def _addresses_json(endpoints: Mapping[str, Any] | None) -> tuple[str, ...]:
    if endpoints is None:
        return ()
    return tuple(
        ip["address"] for ip in endpoints.get("outgoingIpAddresses") or () if ip.get("address")
    )


def logic_app_json(wf: Mapping[str, Any]) -> LogicApp:
    """A workflow as ARM sent it (JSON names) -> the same model as `logic_app` builds from the
    SDK's msrest object, without msrest building that object first (most of a listing's CPU)."""
    from msrest import Deserializer  # azure-mgmt-logic's own dependency, already imported

    props = wf.get("properties") or {}
    sub, rg = _ids(wf["id"])
    endpoints = props.get("endpointsConfiguration") or {}
    params = {  # as WorkflowParameter.as_dict() gives them: its fields, unset ones left out
        k: None if p is None else {f: p[f] for f in _PARAMETER_FIELDS if p.get(f) is not None}
        for k, p in (props.get("parameters") or {}).items()
    }
    changed = props.get("changedTime")
    return LogicApp(
        id=wf["id"],
        name=wf["name"],
        subscription_id=sub,
        resource_group=rg,
        location=wf.get("location") or "",
        state=text(props.get("state"), "NotSpecified"),
        identity=identity_json(wf.get("identity")),
        workflow_outgoing_ips=_addresses_json(endpoints.get("workflow")),
        connector_outgoing_ips=_addresses_json(endpoints.get("connector")),
        definition=dict(props.get("definition") or {}),
        parameters=params,
        # msrest's own parser: the same datetime (7-digit fractions, 'Z') as the SDK path
        changed_time=Deserializer.deserialize_iso(changed).isoformat() if changed else None,
    )


def logic_app_item(wf: Any) -> LogicApp:
    """`logic_app_json` for a JSON item, `logic_app` for the SDK's msrest model."""
    return logic_app_json(wf) if isinstance(wf, Mapping) else logic_app(wf)


def user_assigned_identity(ident: Any) -> UserAssignedIdentity:
    sub, rg = _ids(ident.id)
    return UserAssignedIdentity(
        id=ident.id,
        name=ident.name,
        subscription_id=sub,
        resource_group=rg,
        location=ident.location or "",
        principal_id=ident.principal_id or "",
        client_id=ident.client_id or "",
        tenant_id=ident.tenant_id or "",
    )


def user_assigned_identity_json(row: Mapping[str, Any]) -> UserAssignedIdentity:
    """An identity as ARM (or a Resource Graph row) sent it -> the model `user_assigned_identity`
    builds from the SDK's object."""
    props = row.get("properties") or {}
    sub, rg = _ids(row["id"])
    return UserAssignedIdentity(
        id=row["id"],
        name=row["name"],
        subscription_id=sub,
        resource_group=rg,
        location=row.get("location") or "",
        principal_id=props.get("principalId") or "",
        client_id=props.get("clientId") or "",
        tenant_id=props.get("tenantId") or "",
    )


# ---- Key Vault data plane ----------------------------------------------------------------
def secret_properties(props: Any, vault_uri: str) -> SecretProperties:
    return SecretProperties(
        name=props.name,
        vault_uri=vault_uri,
        id=props.id,
        version=props.version,
        enabled=props.enabled is not False,
        content_type=props.content_type,
        created_on=props.created_on,
        updated_on=props.updated_on,
        not_before=props.not_before,
        expires_on=props.expires_on,
        recovery_level=text(props.recovery_level) or None,
        tags=_tags(props.tags),
    )


def _unix(value: Any) -> datetime | None:
    # As the SDK decodes Key Vault's unix times: aware UTC datetimes.
    return None if value is None else datetime.fromtimestamp(value, UTC)


def secret_item(item: Mapping[str, Any], vault_uri: str) -> SecretProperties:
    """A secret list item as Key Vault sent it (JSON names) -> the same model as
    `secret_properties` builds from the SDK's object, without decoding every field through the
    SDK's models first (a tenth of the CPU of a 10,000-secret listing)."""
    secret_id = item["id"]
    path = [p for p in urlsplit(secret_id).path.split("/") if p]
    if not 2 <= len(path) <= 3:
        raise ValueError(f"'{secret_id}' is not a valid ID")
    attrs = item.get("attributes") or {}
    return SecretProperties(
        name=path[1],
        vault_uri=vault_uri,
        id=secret_id,
        version=path[2] if len(path) == 3 else None,
        enabled=attrs.get("enabled") is not False,
        content_type=item.get("contentType"),
        created_on=_unix(attrs.get("created")),
        updated_on=_unix(attrs.get("updated")),
        not_before=_unix(attrs.get("nbf")),
        expires_on=_unix(attrs.get("exp")),
        recovery_level=text(attrs.get("recoveryLevel")) or None,
        tags=_tags(item.get("tags")),
    )


def secret(kv_secret: Any, vault_uri: str) -> Secret:
    return Secret(
        properties=secret_properties(kv_secret.properties, vault_uri),
        value=MaskedValue(kv_secret.value or ""),
    )


def deleted_secret(deleted: Any, vault_uri: str) -> DeletedSecret:
    return DeletedSecret(
        properties=secret_properties(deleted.properties, vault_uri),
        recovery_id=deleted.recovery_id,
        deleted_on=deleted.deleted_date,
        scheduled_purge_date=deleted.scheduled_purge_date,
    )
