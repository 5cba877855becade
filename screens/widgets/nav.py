"""The navigation tree: tenant -> subscription -> resource group -> kinds, with counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from console.errors import ConsoleError
from screens.catalog import KIND_TITLES, KINDS, Catalog
from screens.text import Plain


@dataclass(frozen=True)
class NodeRef:
    kind: str  # vaults | logic_apps | identities | principals | pinned | rg | subscription | tenant
    subscription_id: str | None = None
    resource_group: str | None = None
    uri: str | None = None  # a pinned vault

    @property
    def list_kind(self) -> str:
        # A tenant, subscription or resource group node lists the vaults under it.
        return "vaults" if self.kind in ("subscription", "tenant", "rg") else self.kind


class NavTree(Tree[NodeRef]):
    BINDINGS = [
        Binding("enter", "select_cursor", "Show", id="tree.show"),
        Binding("space", "toggle_node", "Expand", show=False, id="tree.toggle"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Plain("Tenant"), data=NodeRef("tenant"), id=id)
        self.show_root = True
        self.guide_depth = 3
        self._index: dict[tuple[str | None, str | None, str], TreeNode[NodeRef]] = {}
        self.root.expand()
        self._pinned = self.root.add(Plain("★ Pinned vaults"), data=NodeRef("pinned"))
        self._principals = self.root.add(Plain("Principals (all)"), data=NodeRef("principals"))

    def set_tenant(self, label: str) -> None:
        self.root.set_label(Plain(label))

    def node_for(self, ref: NodeRef) -> TreeNode[NodeRef] | None:
        if ref.kind == "pinned":
            return self._pinned
        if ref.kind == "principals":
            return self._principals
        if ref.kind == "tenant":
            return self.root
        return self._index.get((ref.subscription_id, ref.resource_group, ref.kind))

    def add_subscription(self, subscription_id: str, name: str) -> None:
        key = (subscription_id, None, "subscription")
        if key in self._index:
            return
        node = self.root.add(
            Plain(name), data=NodeRef("subscription", subscription_id), before=self._pinned
        )
        node.expand()
        self._index[key] = node

    def add_resource_group(self, subscription_id: str, resource_group: str) -> None:
        key = (subscription_id, resource_group.lower(), "rg")
        if key in self._index:
            return
        parent = self._index.get((subscription_id, None, "subscription"))
        if parent is None:
            return
        # Keep resource groups in name order whatever order they arrive in.
        siblings = [n for n in parent.children if n.data and n.data.kind == "rg"]
        before = next(
            (
                n
                for n in siblings
                if ((n.data and n.data.resource_group) or "") > resource_group.lower()
            ),
            None,
        )
        node = parent.add(
            Plain(resource_group),
            data=NodeRef("rg", subscription_id, resource_group.lower()),
            before=before,
        )
        self._index[key] = node
        node.expand()
        for kind in KINDS:
            child = node.add_leaf(
                Plain(KIND_TITLES[kind]),
                data=NodeRef(kind, subscription_id, resource_group.lower()),
            )
            self._index[(subscription_id, resource_group.lower(), kind)] = child

    def refresh_counts(self, catalog: Catalog, loading: set[tuple[str, str]]) -> None:
        """Relabel the nodes from the catalog: one pass over what is loaded (this runs with every
        batch that arrives, and a tenant can hold thousands of vaults and Logic Apps)."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for kind in KINDS:
            for item in catalog.of_kind(kind).values():
                self.add_resource_group(item.subscription_id, item.resource_group)
                counts[(item.subscription_id, item.resource_group.lower(), kind)] += 1
        first_error: dict[str, ConsoleError] = {}
        for (sub_id, _kind), error in catalog.errors.items():
            first_error.setdefault(sub_id, error)
        loading_subs = {sub_id for sub_id, _kind in loading}
        for sub_id, sub in catalog.subscriptions.items():
            node = self._index.get((sub_id, None, "subscription"))
            if node is None:
                continue
            label = Plain(sub.display_name)
            if sub_id in first_error:
                label.append(f"  ⚠ {first_error[sub_id].title}", style="bold red")
            elif sub_id in loading_subs:
                label.append("  …", style="dim")
            _relabel(node, label)
        for (node_sub, rg, node_kind), child in self._index.items():
            if node_kind not in KINDS or node_sub is None or node_sub not in catalog.subscriptions:
                continue
            text = Plain(f"{KIND_TITLES[node_kind]} ({counts[(node_sub, rg or '', node_kind)]})")
            if (node_sub, node_kind) in catalog.errors:
                text.append(" ⚠", style="bold red")
            _relabel(child, text)
        _relabel(self._pinned, Plain(f"★ Pinned vaults ({len(catalog.pinned)})"))
        # Every principal is only known once everything is listed (and counting them means
        # building the whole inventory): no count while loading.
        count = "…" if loading else f"({len(catalog.inventory())})"
        _relabel(self._principals, Plain(f"Principals (all) {count}"))

    def set_pinned(self, uris: list[str]) -> None:
        self._pinned.remove_children()
        for uri in uris:
            self._pinned.add_leaf(Plain(uri), data=NodeRef("pinned", uri=uri))
        if uris:
            self._pinned.expand()


def _relabel(node: TreeNode, label: Plain) -> None:
    """Only a changed label is set: each set_label re-lays out the whole screen (~15 ms), and the
    counts are refreshed with every batch of loaded rows while most of them stay the same."""
    if node.label != label:
        node.set_label(label)
