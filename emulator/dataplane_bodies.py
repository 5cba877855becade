"""Key Vault secret bodies (SecretBundle, SecretItem, Deleted*), input rules and errors.

Shapes follow the 2025-07-01 secrets.json examples; limits follow Microsoft's "About secrets" page.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator.http import AzureHttpError
from emulator.state import DeletedSecretRecord, SecretRecord, SecretVersion

# Served data-plane versions: those azure-keyvault-secrets 4.12 still lists (its ApiVersion enum
# keeps 2016-10-01, the version Logic Apps samples call) [?: 2015-06-01 and previews not modelled].
API_VERSIONS = frozenset(
    {"2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"}
)
LATEST_API_VERSION = "2026-04-01"
PAGE_MAX = 25
NAME_RE = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
MAX_VALUE_BYTES = 25 * 1024
MAX_CONTENT_TYPE = 255
MAX_TAGS = 15
MAX_TAG_TEXT = 512
DAY = 86400


def bad_parameter(message: str, inner: str | None = None) -> AzureHttpError:
    return AzureHttpError(400, "BadParameter", message, inner=inner)


def secret_not_found(name: str, version: str = "") -> AzureHttpError:
    ident = f"{name}/{version}" if version else name
    return AzureHttpError(
        404,
        "SecretNotFound",
        f"A secret with (name/id) {ident} was not found in this key vault. If you recently "
        "deleted this secret you may be able to recover it using the correct recovery command. "
        "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
    )


def deleted_not_found(name: str) -> AzureHttpError:
    return AzureHttpError(404, "SecretNotFound", f"Deleted Secret not found: {name}")


def not_allowed(method: str, path: str) -> AzureHttpError:
    return AzureHttpError(
        405, "MethodNotAllowed", f"The method '{method}' is not allowed on {path}."
    )


def require_api_version(request: web.Request) -> str:
    version = request.query.get("api-version")
    if not version:
        # Not confirmed: Key Vault's wording for a missing api-version.
        raise bad_parameter("The 'api-version' query parameter is missing.")
    if version not in API_VERSIONS:
        # Real text (azure-sdk-for-python#28595).
        raise bad_parameter(
            f"The specified version ({version}) is not recognized. Consider using the latest "
            f"supported version ({LATEST_API_VERSION})."
        )
    return version


def maxresults(request: web.Request) -> int:
    raw = request.query.get("maxresults")
    if raw is None:
        return PAGE_MAX
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= PAGE_MAX:
        # Not confirmed: wording; the limit (1..25) is documented.
        raise bad_parameter(
            f"The value of maxresults ({raw}) is invalid: it must be between 1 and {PAGE_MAX}."
        )
    return size


def check_name(name: str) -> None:
    # Real text (aspnet/MicrosoftConfigurationBuilders#22): the URI is rejected before any lookup.
    if not NAME_RE.match(name):
        raise bad_parameter(f"The request URI contains an invalid name: {name}")


# ---- vault settings ----------------------------------------------------------------------


def soft_delete_enabled(vault: dict[str, Any]) -> bool:
    return vault["properties"].get("enableSoftDelete", True) is not False


def purge_protected(vault: dict[str, Any]) -> bool:
    return soft_delete_enabled(vault) and bool(vault["properties"].get("enablePurgeProtection"))


def retention_days(vault: dict[str, Any]) -> int:
    if not soft_delete_enabled(vault):
        return 0
    return int(vault["properties"].get("softDeleteRetentionInDays") or 90)


def recovery_level(vault: dict[str, Any]) -> str:
    """DeletionRecoveryLevel: "Customized*" under 90 days; no "+Purgeable" if purge-protected."""
    if not soft_delete_enabled(vault):
        return "Purgeable"
    level = "Recoverable" if retention_days(vault) >= 90 else "CustomizedRecoverable"
    return level if purge_protected(vault) else f"{level}+Purgeable"


# ---- request bodies ----------------------------------------------------------------------


def _int_or_none(attrs: dict[str, Any], key: str) -> int | None:
    value = attrs.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_parameter(f"The attribute '{key}' must be a Unix time in seconds.")
    return int(value)


def parse_attributes(body: dict[str, Any]) -> dict[str, Any]:
    """The settable attributes present in *body* (enabled, nbf, exp)."""
    attrs = body.get("attributes")
    if attrs is None:
        return {}
    if not isinstance(attrs, dict):
        raise bad_parameter("The attributes property must be an object.")
    out: dict[str, Any] = {}
    if attrs.get("enabled") is not None:
        if not isinstance(attrs["enabled"], bool):
            raise bad_parameter("The attribute 'enabled' must be true or false.")
        out["enabled"] = attrs["enabled"]
    for key in ("nbf", "exp"):
        if key in attrs:
            out[key] = _int_or_none(attrs, key)
    return out


def parse_content_type(body: dict[str, Any]) -> str | None:
    ctype = body.get("contentType")
    if ctype is None:
        return None
    if not isinstance(ctype, str):
        raise bad_parameter("The contentType property must be a string.")
    if len(ctype) > MAX_CONTENT_TYPE:
        raise bad_parameter(
            f"The content type is too long: {len(ctype)} characters. "
            f"The maximum is {MAX_CONTENT_TYPE}."
        )
    return ctype


def parse_tags(body: dict[str, Any]) -> dict[str, str] | None:
    tags = body.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise bad_parameter("Tags must be an object of string names and string values.")
    if len(tags) > MAX_TAGS:
        raise bad_parameter(f"Too many tags: {len(tags)}. A secret can have at most {MAX_TAGS}.")
    for name, value in tags.items():
        if len(name) > MAX_TAG_TEXT or len(value) > MAX_TAG_TEXT:
            raise bad_parameter(
                f"The tag '{name[:40]}' is too long: tag names and values are limited to "
                f"{MAX_TAG_TEXT} characters."
            )
    return dict(tags)


def parse_value(body: dict[str, Any]) -> str:
    value = body.get("value")
    if not isinstance(value, str):
        raise bad_parameter("The secret value is required and must be a string.")
    if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        # Text as the service returns it (quoted in azure-cli#5639); the limit is 25 KB of UTF-8.
        raise bad_parameter(
            "Secret is beyond the maximum permitted length of 25600 characters.",
            inner="SecretTooLarge",
        )
    return value


# ---- response bodies ---------------------------------------------------------------------


def _attributes(vault: dict[str, Any], version: SecretVersion) -> dict[str, Any]:
    attrs: dict[str, Any] = {"enabled": version.enabled}
    if version.nbf is not None:
        attrs["nbf"] = version.nbf
    if version.exp is not None:
        attrs["exp"] = version.exp
    attrs["created"] = version.created
    attrs["updated"] = version.updated
    attrs["recoveryLevel"] = recovery_level(vault)
    days = retention_days(vault)
    if days:
        attrs["recoverableDays"] = days
    return attrs


def _common(vault: dict[str, Any], version: SecretVersion, secret_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"id": secret_id}
    if version.content_type is not None:
        body["contentType"] = version.content_type
    body["attributes"] = _attributes(vault, version)
    if version.tags:
        body["tags"] = dict(version.tags)
    return body


def bundle(
    vault: dict[str, Any],
    origin: str,
    record: SecretRecord,
    version: SecretVersion,
    *,
    with_value: bool,
) -> dict[str, Any]:
    """SecretBundle: the versioned id; the value only where Azure returns it (set, get)."""
    body = _common(vault, version, f"{origin}/secrets/{record.name}/{version.version}")
    if with_value:
        return {"value": version.value, **body}
    return body


def item(
    vault: dict[str, Any], origin: str, record: SecretRecord, version: SecretVersion | None = None
) -> dict[str, Any]:
    """SecretItem: the list entry; the id names a version only in the versions list."""
    suffix = f"/{version.version}" if version is not None else ""
    return _common(vault, version or record.latest, f"{origin}/secrets/{record.name}{suffix}")


def _deleted_fields(origin: str, deleted: DeletedSecretRecord) -> dict[str, Any]:
    return {
        "recoveryId": f"{origin}/deletedsecrets/{deleted.record.name}",
        "deletedDate": deleted.deleted_date,
        "scheduledPurgeDate": deleted.scheduled_purge_date,
    }


def deleted_bundle(
    vault: dict[str, Any], origin: str, deleted: DeletedSecretRecord
) -> dict[str, Any]:
    rec = deleted.record
    return {
        **_deleted_fields(origin, deleted),
        **bundle(vault, origin, rec, rec.latest, with_value=False),
    }


def deleted_item(
    vault: dict[str, Any], origin: str, deleted: DeletedSecretRecord
) -> dict[str, Any]:
    return {**_deleted_fields(origin, deleted), **item(vault, origin, deleted.record)}
