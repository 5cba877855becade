"""What one change does, one frozen dataclass per kind: the arguments the applier passes to
:class:`console.service.AzureService`. ``to_dict`` / ``params_from_dict`` keep the journal's
JSON shape (``{"kind": ..., "params": {...}}``), so entries written before these types existed
are read, and undone, the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

Json = dict[str, Any]


@dataclass(frozen=True)
class _Params:
    KIND: ClassVar[str]

    def to_dict(self) -> Json:
        # Not dataclasses.asdict: its deep copy would copy a MaskedValue that json_safe must
        # refuse (and MaskedValue refuses to be copied).
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class AccessPolicyAdd(_Params):
    KIND: ClassVar[str] = "access_policy.add"
    vault_id: str
    object_id: str
    tenant_id: str
    permissions: dict[str, list[str]]  # {secrets: [...], keys: [...], ...}


@dataclass(frozen=True)
class AccessPolicyRemove(_Params):
    KIND: ClassVar[str] = "access_policy.remove"
    vault_id: str
    object_id: str
    tenant_id: str
    permissions: dict[str, list[str]] | None  # None: the whole entry


@dataclass(frozen=True)
class NetworkRulesSet(_Params):
    KIND: ClassVar[str] = "network_rules"
    vault_id: str
    network: Json  # the full rule set to write, see base.network_to_dict


@dataclass(frozen=True)
class IdentitySet(_Params):
    KIND: ClassVar[str] = "identity"
    logic_app_id: str
    identity: Json  # {type, user_assigned: [resource ids]}
    replace_user_assigned: bool = False


@dataclass(frozen=True)
class RoleAssignmentCreate(_Params):
    KIND: ClassVar[str] = "role_assignment.create"
    scope: str
    role_definition_guid: str
    principal_id: str
    principal_type: str | None = None


@dataclass(frozen=True)
class RoleAssignmentDelete(_Params):
    KIND: ClassVar[str] = "role_assignment.delete"
    scope: str
    role_definition_guid: str
    principal_id: str
    principal_type: str | None = None
    id: str | None = None  # None: look it up by scope, role and principal


@dataclass(frozen=True)
class SecretSet(_Params):
    """A new version; its value is never here (the applier is handed it apart)."""

    KIND: ClassVar[str] = "secret.set"
    vault_uri: str
    name: str
    content_type: str | None = None
    enabled: bool = True
    not_before: str | None = None  # ISO 8601
    expires_on: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SecretUpdate(_Params):
    """Attributes only: the value is untouched."""

    KIND: ClassVar[str] = "secret.update"
    vault_uri: str
    name: str
    version: str | None = None
    content_type: str | None = None
    enabled: bool | None = None
    not_before: str | None = None
    expires_on: str | None = None
    tags: dict[str, str] | None = None


@dataclass(frozen=True)
class SecretDelete(_Params):
    KIND: ClassVar[str] = "secret.delete"
    vault_uri: str
    name: str


@dataclass(frozen=True)
class SecretRecover(_Params):
    KIND: ClassVar[str] = "secret.recover"
    vault_uri: str
    name: str


@dataclass(frozen=True)
class SecretPurge(_Params):
    KIND: ClassVar[str] = "secret.purge"
    vault_uri: str
    name: str


ChangeParams = (
    AccessPolicyAdd
    | AccessPolicyRemove
    | NetworkRulesSet
    | IdentitySet
    | RoleAssignmentCreate
    | RoleAssignmentDelete
    | SecretSet
    | SecretUpdate
    | SecretDelete
    | SecretRecover
    | SecretPurge
)
PARAMS_BY_KIND: dict[str, type[ChangeParams]] = {
    cls.KIND: cls
    for cls in (
        AccessPolicyAdd,
        AccessPolicyRemove,
        NetworkRulesSet,
        IdentitySet,
        RoleAssignmentCreate,
        RoleAssignmentDelete,
        SecretSet,
        SecretUpdate,
        SecretDelete,
        SecretRecover,
        SecretPurge,
    )
}


def params_from_dict(kind: str, data: Mapping[str, Any]) -> ChangeParams:
    """The typed parameters of a journaled change. Keys an older version wrote and this one
    does not know are left out; a missing optional key takes its default."""
    cls = PARAMS_BY_KIND.get(kind)
    if cls is None:
        raise ValueError(f"unknown change kind {kind!r}")
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})
