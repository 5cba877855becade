"""The --faults grammar: what an operator types and what it means."""

from __future__ import annotations

import pytest

from emulator.faults import FaultSpec, FaultSpecError


def test_a_full_spec_parses_into_rules() -> None:
    spec = FaultSpec.parse(
        "429@GET */secrets*:0.3,503:0.05,slow=0.2@*:0.1,drop:once,"
        "expire@*/vaults/*:2x,seed=7,retry-after=2"
    )
    kinds = [(r.kind, r.pattern, r.probability, r.remaining) for r in spec.rules]
    assert kinds == [
        ("429", "GET */secrets*", 0.3, None),
        ("503", "*", 0.05, None),
        ("slow", "*", 0.1, None),
        ("drop", "*", 1.0, 1),
        ("expire", "*/vaults/*", 1.0, 2),
    ]
    assert spec.rules[2].seconds == 0.2
    assert (spec.seed, spec.retry_after) == (7, 2.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("418", "unknown fault '418'"),
        ("429:1.5", "between 0 and 1"),
        ("seed=abc", "'abc' is not a number"),
        ("slow=fast", "'fast' is not a number"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultSpec.parse(text)


def test_rules_match_method_and_path() -> None:
    (rule,) = FaultSpec.parse("500@PUT */accessPolicies/*").rules
    assert rule.matches(
        "PUT",
        "/subscriptions/s/resourceGroups/r/providers/"
        "Microsoft.KeyVault/vaults/v/accessPolicies/add",
    )
    assert not rule.matches("GET", "/subscriptions/s/providers/Microsoft.KeyVault/vaults")
