"""Input checks run before anything is sent to Azure.

Each ``validate_*`` returns ``None`` when the input is fine, else one message that says what is
wrong and what to do. Messages never quote a secret value nor its length.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from console.masked import MaskedValue

SECRET_NAME_RE = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
MAX_SECRET_BYTES = 25 * 1024
MAX_CONTENT_TYPE = 255
MAX_TAGS = 15
MAX_TAG_LEN = 512
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

# Azure refuses these in vault IP rules (RFC 1918 private ranges).
PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
EVERYONE = ipaddress.IPv4Network("0.0.0.0/0")


def _words(text: str) -> list[str]:
    return text.split()


# Access-policy permission names Azure accepts, per object type (lower-cased).
PERMISSION_NAMES: dict[str, frozenset[str]] = {
    "secrets": frozenset(
        ("all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge")
    ),
    "keys": frozenset(
        _words(
            "all encrypt decrypt wrapkey unwrapkey sign verify get list create update import "
            "delete backup restore recover purge release rotate getrotationpolicy "
            "setrotationpolicy"
        )
    ),
    "certificates": frozenset(
        _words(
            "all get list delete create import update managecontacts getissuers listissuers "
            "setissuers deleteissuers manageissuers recover purge backup restore"
        )
    ),
    "storage": frozenset(
        _words(
            "all get list delete set update regeneratekey recover purge backup restore setsas "
            "listsas getsas deletesas"
        )
    ),
}


# ---- secrets -----------------------------------------------------------------------------


def validate_secret_name(name: str) -> str | None:
    if not name:
        return "Enter a secret name: 1 to 127 letters, digits and hyphens."
    if name != name.strip():
        return "Remove the spaces around the name: only letters, digits and hyphens are allowed."
    if len(name) > 127:
        return "The name is too long: Azure allows at most 127 characters. Shorten it."
    if not SECRET_NAME_RE.match(name):
        bad = sorted({c for c in name if not re.match(r"[0-9a-zA-Z-]", c)})
        shown = " ".join(repr(c) for c in bad[:5])
        return (
            f"The name contains characters Azure refuses ({shown}): use only letters a-z A-Z, "
            "digits 0-9 and hyphens, e.g. 'db-password'."
        )
    return None


def validate_secret_value(value: str | MaskedValue) -> str | None:
    """Key Vault stores text up to 25 KB (UTF-8). The message never tells the value's size."""
    text = value.reveal() if isinstance(value, MaskedValue) else value
    if not isinstance(text, str):
        return "The value must be text. Encode binary content as base64 first."
    if text == "":
        return "The value is empty: type or paste a value, or load it from a file."
    if "\x00" in text:
        return (
            "The value contains NUL characters (binary data). Key Vault stores text: encode the "
            "content as base64 and set the content type to say so (e.g. 'application/base64')."
        )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return (
            "The value contains characters that are not valid Unicode text. Re-enter it, or "
            "encode the content as base64."
        )
    if size > MAX_SECRET_BYTES:
        return (
            f"The value is larger than Azure's limit of 25 KB ({MAX_SECRET_BYTES} bytes in UTF-8). "
            "Store a smaller value, e.g. a reference to a storage blob."
        )
    return None


def decode_secret_file(data: bytes) -> tuple[str | None, str | None]:
    """Bytes read from a file -> (text, error). Binary files are refused with a way out."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, (
            "The file is not UTF-8 text (it looks binary). Key Vault stores text: encode it as "
            "base64 first (e.g. 'base64 -w0 FILE > FILE.b64') and load that file."
        )
    if text.startswith("\ufeff"):  # a BOM is an editor artefact, not part of the secret
        text = text[1:]
    return text, validate_secret_value(text)


def validate_content_type(content_type: str | None) -> str | None:
    if content_type and len(content_type) > MAX_CONTENT_TYPE:
        return (
            f"The content type is too long: Azure allows at most {MAX_CONTENT_TYPE} characters. "
            "Use a short type such as 'text/plain' or 'application/json'."
        )
    return None


def validate_tags(tags: Mapping[str, str] | Iterable[tuple[str, str]]) -> str | None:
    pairs = list(tags.items()) if isinstance(tags, Mapping) else list(tags)
    if len(pairs) > MAX_TAGS:
        return f"Too many tags: Azure allows at most {MAX_TAGS}. Remove some."
    seen: set[str] = set()
    for name, value in pairs:
        if not name or not name.strip():
            return "A tag has an empty name: give every tag a name, or remove it."
        if len(name) > MAX_TAG_LEN:
            return f"The tag name '{name[:20]}…' is too long: at most {MAX_TAG_LEN} characters."
        if len(value) > MAX_TAG_LEN:
            return (
                f"The value of tag '{name[:40]}' is too long: at most {MAX_TAG_LEN} characters. "
                "Shorten it."
            )
        if name in seen:
            return f"The tag '{name[:40]}' appears twice: keep one."
        seen.add(name)
    return None


_TAG_ESCAPES = {"\\": "\\\\", ",": "\\,", "=": "\\=", "\n": "\\n", "\r": "\\r"}


def _escape_tag_text(text: str) -> str:
    out = "".join(_TAG_ESCAPES.get(ch, ch) for ch in text)
    # Padding is part of Azure's value: keep it visible and typed-back exactly.
    if out and not out.strip(" "):
        return "\\s" * len(out)
    lead = len(out) - len(out.lstrip(" "))
    trail = len(out) - len(out.rstrip(" "))
    if lead or trail:
        core = out[lead : len(out) - trail] if trail else out[lead:]
        out = "\\s" * lead + core + "\\s" * trail
    return out


def format_tags(pairs: Iterable[tuple[str, str]]) -> str:
    """Tags as one line that :func:`parse_tags` reads back exactly: ``name=value, …`` with
    ``\\,`` ``\\=`` ``\\\\`` ``\\n`` and ``\\s`` (a kept space) for what would otherwise split
    or be trimmed."""
    return ", ".join(f"{_escape_tag_text(k)}={_escape_tag_text(v)}" for k, v in pairs)


def _split_unescaped(text: str, seps: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if ch in seps:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


_UNESCAPE = {"n": "\n", "r": "\r", "s": " "}


def _unescape(text: str) -> str:
    """Trim unescaped surrounding spaces, then resolve escapes (``\\s`` is a kept space)."""
    text = text.strip()
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out += _UNESCAPE.get(text[i + 1], text[i + 1])
            i += 2
        else:
            out += text[i]
            i += 1
    return out


def parse_tags(text: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """``name=value`` pairs separated by commas or lines -> (pairs, error). ``\\,`` ``\\=``
    ``\\\\`` ``\\n`` and ``\\s`` write a comma, an equals sign, a backslash, a line feed and a
    space that is kept (see :func:`format_tags`)."""
    pairs: list[tuple[str, str]] = []
    for raw in _split_unescaped(text, ",\n"):
        if not raw.strip():
            continue
        halves = _split_unescaped(raw, "=")
        if len(halves) < 2:
            return (), f"'{raw.strip()[:40]}' is not a tag: write it as name=value."
        name = _unescape(halves[0])
        value = _unescape("=".join(halves[1:]))  # a later unescaped '=' belongs to the value
        pairs.append((name, value))
    error = validate_tags(pairs)
    return (tuple(pairs), None) if error is None else ((), error)


# ---- dates -------------------------------------------------------------------------------


def parse_date(text: str | None) -> tuple[datetime | None, str | None]:
    """ISO date or date-time -> aware UTC datetime. Empty means "not set"."""
    if text is None or not text.strip():
        return None, None
    raw = text.strip()
    try:
        if len(raw) == 10:
            parsed = datetime.combine(date.fromisoformat(raw), time(0, 0))
        else:
            parsed = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        return None, (
            f"'{raw[:40]}' is not a date: use ISO format, e.g. 2026-12-31 or "
            "2026-12-31T18:00:00Z (times without a zone are taken as UTC)."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC), None


def validate_dates(not_before: datetime | None, expires_on: datetime | None) -> str | None:
    if not_before and expires_on and not not_before < expires_on:
        return (
            "The activation date must be before the expiry date: move the activation earlier "
            "or the expiry later."
        )
    return None


def expiry_warning(expires_on: datetime | None, now: datetime | None = None) -> str | None:
    now = now or datetime.now(UTC)
    if expires_on and expires_on <= now:
        return "The expiry date is in the past: the secret will be expired as soon as it is saved."
    return None


# ---- principals and permissions ----------------------------------------------------------


def validate_object_id(text: str) -> str | None:
    if not text or not text.strip():
        return (
            "Enter the principal's object id: a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e."
        )
    if not GUID_RE.match(text.strip().strip("{}")):
        return (
            f"'{text.strip()[:40]}' is not an object id: it must be a GUID like "
            "0f8fad5b-d9cb-469f-a165-70867728950e (the Object ID in Entra ID, not a name)."
        )
    return None


def normalise_object_id(text: str) -> str:
    """The canonical form Azure returns (lower case, no braces). Call after validating."""
    return text.strip().strip("{}").lower()


def validate_permissions(permissions: Mapping[str, Iterable[str]]) -> str | None:
    for kind, names in permissions.items():
        allowed = PERMISSION_NAMES.get(kind)
        if allowed is None:
            return f"Unknown permission group '{kind}': use secrets, keys, certificates or storage."
        for name in names:
            if name.lower() not in allowed:
                return (
                    f"'{name}' is not a {kind} permission. Valid ones: "
                    f"{', '.join(sorted(allowed))}."
                )
    return None


# ---- firewall addresses ------------------------------------------------------------------


def parse_ip_rule(text: str) -> tuple[str | None, str | None, str | None]:
    """One firewall entry -> (network "a.b.c.d/n", error, warning). Exactly one of the first two."""
    raw = re.sub(r"\s*/\s*", "/", (text or "").strip())
    if not raw:
        return (
            None,
            "Enter an IPv4 address (e.g. 20.1.2.3) or a CIDR block (e.g. 20.1.2.0/24).",
            None,
        )
    if ":" in raw:
        return (
            None,
            (
                f"'{raw[:45]}' is an IPv6 address: the Key Vault firewall accepts IPv4 only. "
                "Use the IPv4 address of the caller."
            ),
            None,
        )
    if "-" in raw:
        return None, _range_hint(raw), None
    if re.search(r"\s", raw):
        return (
            None,
            f"'{raw[:45]}' contains spaces: enter one address or CIDR block per line.",
            None,
        )
    try:
        if "/" in raw:
            addr_text, prefix_text = raw.split("/", 1)
            ipaddress.IPv4Address(addr_text)
            if not prefix_text.isdigit() or not 0 <= int(prefix_text) <= 32:
                return (
                    None,
                    (f"'{raw}' has an invalid prefix length: use /0 to /32, e.g. {addr_text}/32."),
                    None,
                )
            try:
                net = ipaddress.IPv4Network(raw, strict=True)
            except ValueError:
                fixed = ipaddress.IPv4Network(raw, strict=False)
                return (
                    None,
                    (
                        f"'{raw}' has host bits set: the network address of that block is {fixed}. "
                        f"Enter {fixed}, or {addr_text}/32 for the single address."
                    ),
                    None,
                )
        else:
            net = ipaddress.IPv4Network(f"{ipaddress.IPv4Address(raw)}/32")
    except ValueError:
        return (
            None,
            (
                f"'{raw[:45]}' is not an IPv4 address or CIDR block: write it like 20.1.2.3 or "
                "20.1.2.0/24 (four numbers 0-255, no leading zeros)."
            ),
            None,
        )
    if net == EVERYONE:
        return (
            str(net),
            None,
            (
                "0.0.0.0/0 opens the vault's firewall to every address on the internet: the other "
                "rules no longer restrict anything. Confirm only if that is what you want."
            ),
        )
    private = next((p for p in PRIVATE_RANGES if net.overlaps(p)), None)
    if private is not None:
        return (
            None,
            (
                f"{net} is a private address ({private} range): Azure refuses private ranges in "
                "vault IP rules. Use the public address the caller goes out from, or a virtual "
                "network rule / private endpoint."
            ),
            None,
        )
    return str(net), None, None


def _range_hint(raw: str) -> str:
    start_text, _, end_text = raw.partition("-")
    try:
        start = ipaddress.IPv4Address(start_text.strip())
        end = ipaddress.IPv4Address(end_text.strip())
        if start > end:
            raise ValueError
        blocks = [str(b) for b in ipaddress.summarize_address_range(start, end)]
    except ValueError:
        return (
            f"'{raw[:45]}' looks like a range: the firewall accepts single addresses or CIDR "
            "blocks only, e.g. 20.1.2.0/24."
        )
    shown = ", ".join(blocks[:4]) + (" …" if len(blocks) > 4 else "")
    return (
        f"Ranges like '{raw[:45]}' are not accepted: use CIDR notation instead. That range is "
        f"{shown}."
    )


@dataclass(frozen=True)
class ParsedIpRules:
    networks: tuple[str, ...]  # valid, normalised, deduplicated, in input order
    errors: tuple[tuple[str, str], ...]  # (input as typed, message)
    warnings: tuple[str, ...]  # need confirmation (0.0.0.0/0)
    notes: tuple[str, ...]  # duplicates and addresses already covered: left out

    @property
    def ok(self) -> bool:
        return not self.errors


def _network(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def parse_ip_rules(items: Iterable[str], existing: Iterable[str] = ()) -> ParsedIpRules:
    """Many entries (each may hold several, separated by newlines, commas or semicolons)
    checked together: duplicates and addresses already covered by another entry or by an
    *existing* rule are left out, with a note."""
    entries = [p for item in items for p in re.split(r"[,\n;]", item) if p.strip()]
    current = [n for n in map(_network, existing) if n is not None]
    networks: list[ipaddress.IPv4Network] = []
    errors: list[tuple[str, str]] = []
    warnings: list[str] = []
    notes: list[str] = []
    for entry in entries:
        net_text, error, warning = parse_ip_rule(entry)
        if error or net_text is None:
            errors.append((entry.strip(), error or "invalid"))
            continue
        if warning and warning not in warnings:
            warnings.append(warning)
        net = ipaddress.IPv4Network(net_text)
        if net in networks:
            notes.append(f"{net} is listed twice: it is kept once.")
        elif net in current:
            notes.append(f"{net} is already a rule: not added again.")
        elif cover := next((c for c in [*current, *networks] if net.subnet_of(c)), None):
            notes.append(f"{net} is already covered by {cover}: not added.")
        else:
            networks.append(net)
    return ParsedIpRules(
        tuple(map(str, networks)), tuple(errors), tuple(warnings), tuple(dict.fromkeys(notes))
    )
