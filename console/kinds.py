"""The kinds of resource loaded per subscription: one name for each, shared by the loader, the
catalog and the screens (a ``StrEnum``, so a member equals its string and JSON stays the same)."""

from __future__ import annotations

from enum import StrEnum


class ResourceKind(StrEnum):
    VAULTS = "vaults"
    LOGIC_APPS = "logic_apps"
    IDENTITIES = "identities"
    RESOURCE_GROUPS = "resource_groups"
    ROLE_ASSIGNMENTS = "role_assignments"


# Listed by the navigation tree and the quick lookup, each with its items by lower-cased id.
LISTED_KINDS = (ResourceKind.VAULTS, ResourceKind.LOGIC_APPS, ResourceKind.IDENTITIES)
# Resource Graph lists these for many subscriptions at once; role assignments it cannot.
GRAPH_KINDS = (*LISTED_KINDS, ResourceKind.RESOURCE_GROUPS)
ALL_KINDS = (*GRAPH_KINDS, ResourceKind.ROLE_ASSIGNMENTS)  # what is loaded per subscription
