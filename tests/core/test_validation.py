"""Bad-input table for every field the wizards take: each refusal says what to do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.masked import MaskedValue
from console.validation import (
    MAX_SECRET_BYTES,
    decode_secret_file,
    expiry_warning,
    normalise_object_id,
    parse_date,
    parse_ip_rule,
    parse_ip_rules,
    parse_tags,
    validate_content_type,
    validate_dates,
    validate_object_id,
    validate_permissions,
    validate_secret_name,
    validate_secret_value,
    validate_tags,
)

# ---- secret names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "db-password", "A1-b2-C3", "x" * 127, "0", "---"])
def test_valid_secret_names(name: str) -> None:
    assert validate_secret_name(name) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "Enter a secret name"),
        ("x" * 128, "at most 127"),
        ("db_password", "'_'"),
        ("db.password", "'.'"),
        ("mot-de-passé", "'é'"),
        ("a b", "' '"),
        (" padded", "Remove the spaces"),
        ("name/version", "'/'"),
    ],
)
def test_bad_secret_names_say_what_to_do(name: str, expected: str) -> None:
    message = validate_secret_name(name)
    assert message is not None and expected in message
    assert "letters" in message or "127" in message


# ---- secret values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "é" * (MAX_SECRET_BYTES // 2),
        "a" * MAX_SECRET_BYTES,
        "line\n" * 100,
        "🔑 clé",
        "y" * 20000,
    ],
)
def test_valid_secret_values(value: str) -> None:
    assert validate_secret_value(value) is None
    assert validate_secret_value(MaskedValue(value)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "empty"),
        ("a" * (MAX_SECRET_BYTES + 1), "25 KB"),
        ("é" * (MAX_SECRET_BYTES // 2 + 1), "25 KB"),  # 2 bytes each in UTF-8
        ("abc\x00def", "base64"),
        ("bad \ud800 surrogate", "not valid Unicode"),
    ],
)
def test_bad_secret_values_explain_without_leaking(value: str, expected: str) -> None:
    message = validate_secret_value(MaskedValue(value))
    assert message is not None and expected in message
    if value:
        assert value not in message
    # the size is never told: only the limit appears
    assert str(len(value.encode("utf-8", "surrogatepass"))) not in message


def test_binary_file_is_refused_with_a_way_out() -> None:
    text, error = decode_secret_file(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert text is None and error is not None and "base64" in error


def test_text_file_is_read_and_bom_dropped() -> None:
    text, error = decode_secret_file("\ufeffpa55wörd\n".encode())
    assert error is None and text == "pa55wörd\n"


def test_empty_file_is_refused() -> None:
    assert decode_secret_file(b"")[1] is not None


# ---- content type, tags ---------------------------------------------------------------------


def test_content_type_limit() -> None:
    assert validate_content_type(None) is None
    assert validate_content_type("t" * 255) is None
    assert "255" in (validate_content_type("t" * 256) or "")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({f"k{i}": "v" for i in range(16)}, "at most 15"),
        ({"": "v"}, "empty name"),
        ({"k" * 513: "v"}, "512"),
        ({"env": "v" * 513}, "512"),
        ([("env", "a"), ("env", "b")], "twice"),
    ],
)
def test_bad_tags(tags, expected: str) -> None:
    message = validate_tags(tags)
    assert message is not None and expected in message


def test_good_tags() -> None:
    assert validate_tags({f"k{i}": "v" * 512 for i in range(15)}) is None


def test_parse_tags() -> None:
    assert parse_tags("env=prod, owner = me\nempty=") == (
        (("env", "prod"), ("owner", "me"), ("empty", "")),
        None,
    )
    pairs, error = parse_tags("env")
    assert pairs == () and "name=value" in (error or "")


# ---- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", datetime(2026, 12, 31, tzinfo=UTC)),
        ("2026-12-31T18:00:00Z", datetime(2026, 12, 31, 18, tzinfo=UTC)),
        ("2026-12-31 18:00", datetime(2026, 12, 31, 18, tzinfo=UTC)),
        ("2026-12-31T20:00:00+02:00", datetime(2026, 12, 31, 18, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text, expected) -> None:
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["31/12/2026", "tomorrow", "2026-13-01", "2026-02-30"])
def test_bad_dates_show_the_format(text: str) -> None:
    value, error = parse_date(text)
    assert value is None and error is not None and "2026-12-31" in error


def test_activation_must_precede_expiry() -> None:
    a, b = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    assert validate_dates(a, b) is None
    assert validate_dates(None, b) is None
    assert "before the expiry" in (validate_dates(b, a) or "")
    assert validate_dates(a, a) is not None


def test_expiry_in_the_past_warns() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert expiry_warning(datetime(2026, 1, 1, tzinfo=UTC), now) is not None
    assert expiry_warning(datetime(2027, 1, 1, tzinfo=UTC), now) is None


# ---- principals, permissions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        " {0f8fad5b-d9cb-469f-a165-70867728950e} ",
    ],
)
def test_valid_object_ids(text: str) -> None:
    assert validate_object_id(text) is None
    assert normalise_object_id(text) == "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(
    "text",
    ["", "la-orders", "0f8fad5b-d9cb-469f-a165", "0f8fad5bd9cb469fa16570867728950e", "g" * 36],
)
def test_bad_object_ids(text: str) -> None:
    message = validate_object_id(text)
    assert message is not None and "GUID" in message


def test_permission_names() -> None:
    assert validate_permissions({"secrets": ["get", "List"], "keys": ["wrapKey"]}) is None
    assert "not a secrets permission" in (validate_permissions({"secrets": ["read"]}) or "")
    assert "Unknown permission group" in (validate_permissions({"blobs": ["get"]}) or "")


# ---- firewall addresses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("20.1.2.3", "20.1.2.3/32"),
        ("  20.1.2.3  ", "20.1.2.3/32"),
        ("20.1.2.0/24", "20.1.2.0/24"),
        ("20.1.2.0 / 24", "20.1.2.0/24"),
        ("13.86.223.32/27", "13.86.223.32/27"),
        ("20.1.2.3/32", "20.1.2.3/32"),
        ("172.32.0.1", "172.32.0.1/32"),  # just outside 172.16/12
    ],
)
def test_valid_ip_rules(text: str, network: str) -> None:
    assert parse_ip_rule(text) == (network, None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Enter an IPv4 address"),
        ("2001:db8::1", "IPv6"),
        ("::1", "IPv6"),
        ("2001:db8::/32", "IPv6"),
        ("20.1.2.0-20.1.2.255", "20.1.2.0/24"),  # the hint gives the CIDR
        ("20.1.2.5-20.1.2.1", "CIDR"),
        ("20.1.2.3/24", "20.1.2.0/24"),  # host bits: suggests the network address
        ("20.1.2.3/33", "/0 to /32"),
        ("20.1.2.3/x", "/0 to /32"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.0/24", "private"),
        ("8.0.0.0/6", "private"),  # overlaps 10/8
        ("300.1.2.3", "not an IPv4 address"),
        ("020.1.2.3", "leading zeros"),
        ("kv.example.com", "not an IPv4 address"),
        ("20.1.2.3 20.1.2.4", "spaces"),
    ],
)
def test_bad_ip_rules_say_what_to_do(text: str, expected: str) -> None:
    network, error, warning = parse_ip_rule(text)
    assert network is None and warning is None
    assert error is not None and expected in error


def test_everyone_is_accepted_with_a_warning() -> None:
    network, error, warning = parse_ip_rule("0.0.0.0/0")
    assert network == "0.0.0.0/0" and error is None
    assert warning is not None and "every address" in warning


def test_many_rules_dedupe_and_cover() -> None:
    parsed = parse_ip_rules(
        ["20.1.2.3, 20.1.2.3/32", "20.1.2.0/24\n20.9.9.9", " ", "2001:db8::1", "40.1.1.1"],
        existing=["40.1.0.0/16", "20.9.9.9/32"],
    )
    assert parsed.networks == ("20.1.2.3/32", "20.1.2.0/24")
    assert parsed.errors == (("2001:db8::1", parse_ip_rule("2001:db8::1")[1]),)
    assert not parsed.ok
    notes = " ".join(parsed.notes)
    assert "20.1.2.3/32 is listed twice" in notes
    assert "20.9.9.9/32 is already a rule" in notes
    assert "40.1.1.1/32 is already covered by 40.1.0.0/16" in notes
    assert parsed.warnings == ()


def test_many_rules_keep_the_everyone_warning() -> None:
    parsed = parse_ip_rules(["0.0.0.0/0", "20.1.2.3"])
    assert parsed.ok and parsed.networks == ("0.0.0.0/0",)
    assert len(parsed.warnings) == 1 and "covered by 0.0.0.0/0" in parsed.notes[0]


@pytest.mark.parametrize(
    "tags",
    [
        (("owner", "a,b=c"), ("env", "prod")),
        (("padded", "  two spaces both sides  "), ("blank", "   ")),
        (("multi", "line one\nline two\r\n"), ("path", "C:\\temp\\x")),
        (("a=b", "c"), ("k", "=starts"), ("trailing", "ends\\")),
        (("ü", "東京 🔑"), ("empty", "")),
    ],
)
def test_tags_round_trip_exactly(tags) -> None:
    """Issue 13: editing attributes must never change a tag; commas, equals signs, padding and
    line feeds in Azure's values survive the editor's one-line form."""
    from console.validation import format_tags

    assert parse_tags(format_tags(tags)) == (tuple(tags), None)
