"""Fault injection: `kvconsole emulator --faults SPEC` and the tests' faulty emulator.

SPEC is a comma-separated list of rules, each ``KIND[@PATH_GLOB][:WHEN]``:

- KIND: ``429`` (with Retry-After), ``500``, ``503``, ``slow=SECONDS``, ``drop`` (connection
  closed without a response), ``expire`` (the token is treated as expired: 401);
- PATH_GLOB: matched against ``METHOD PATH`` (e.g. ``PUT */accessPolicies/*``); default ``*``;
- WHEN: a probability ``0.2``, ``once``, or ``N`` times (``3x``); default ``1.0`` (always).

Extra settings: ``seed=N`` (random seed, default 0), ``retry-after=SECONDS`` (default 1).
Example: ``429@GET */secrets*:0.3,503:0.05,slow=0.2@*:0.1,seed=7``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web

from emulator.http import AzureHttpError

if TYPE_CHECKING:
    from emulator.server import Emulator

KINDS = ("429", "500", "503", "slow", "drop", "expire")


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultRule:
    kind: str
    pattern: str = "*"
    probability: float = 1.0
    remaining: int | None = None  # None: unlimited
    seconds: float = 0.0  # for slow

    def matches(self, method: str, path: str) -> bool:
        return fnmatch.fnmatchcase(f"{method} {path}", self.pattern) or fnmatch.fnmatchcase(
            path, self.pattern
        )


@dataclass
class FaultSpec:
    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    retry_after: float = 1.0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        spec = cls()
        for raw in (part.strip() for part in text.split(",")):
            if not raw:
                continue
            if raw.startswith("seed="):
                spec.seed = _number(raw[5:], int, raw)
                continue
            if raw.startswith("retry-after="):
                spec.retry_after = _number(raw[12:], float, raw)
                continue
            spec.rules.append(_rule(raw))
        return spec


_Number = TypeVar("_Number", int, float)


def _number(text: str, kind: Callable[[str], _Number], raw: str) -> _Number:
    try:
        return kind(text)
    except ValueError as exc:
        raise FaultSpecError(f"'{raw}': '{text}' is not a number") from exc


def _rule(raw: str) -> FaultRule:
    head, when = raw, ""
    maybe_head, sep, maybe_when = raw.rpartition(":")
    if sep and re.fullmatch(r"once|\d+x|[0-9.]+", maybe_when):
        head, when = maybe_head, maybe_when
    kind, _, pattern = head.partition("@")
    seconds = 0.0
    if kind.startswith("slow="):
        seconds = _number(kind[5:], float, raw)
        kind = "slow"
    if kind not in KINDS:
        raise FaultSpecError(f"'{raw}': unknown fault '{kind}' (one of {', '.join(KINDS)})")
    rule = FaultRule(kind, pattern or "*", seconds=seconds)
    if when == "once":
        rule.remaining = 1
    elif when.endswith("x"):
        rule.remaining = _number(when[:-1], int, raw)
    elif when:
        rule.probability = _number(when, float, raw)
        if not 0 <= rule.probability <= 1:
            raise FaultSpecError(f"'{raw}': a probability is between 0 and 1")
    return rule


class FaultInjector:
    """The emulator hook; ``injected`` records (kind, method, path) of every fault served."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.random = random.Random(spec.seed)
        self.injected: list[tuple[str, str, str]] = []
        self.enabled = True

    async def __call__(self, request: web.Request) -> None:
        if not self.enabled:
            return
        for rule in self.spec.rules:
            if not rule.matches(request.method, request.path):
                continue
            if rule.remaining is not None and rule.remaining <= 0:
                continue
            if self.random.random() >= rule.probability:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            self.injected.append((rule.kind, request.method, request.path))
            await self._inject(rule, request)

    async def _inject(self, rule: FaultRule, request: web.Request) -> None:
        vault_plane = "/secrets" in request.path or "/deletedsecrets" in request.path
        if rule.kind == "slow":
            await asyncio.sleep(rule.seconds)
        elif rule.kind == "429":
            if vault_plane:
                code, message = (
                    "Throttled",
                    (
                        "Request was not processed because too many requests were received. "
                        "Reason: VaultRequestTypeLimitReached"
                    ),
                )
            else:
                code, message = (
                    "TooManyRequests",
                    (
                        "The request is being throttled as the limit has been reached for "
                        "operation "
                        "type - 'List'. For more information, see - https://aka.ms/msdn-throttling"
                    ),
                )
            raise AzureHttpError(
                429, code, message, headers={"Retry-After": f"{self.spec.retry_after:g}"}
            )
        elif rule.kind in ("500", "503"):
            raise AzureHttpError(
                int(rule.kind),
                "InternalServerError" if rule.kind == "500" else "ServiceUnavailable",
                "The service encountered an internal error. Please retry the request."
                if rule.kind == "500"
                else "The service is temporarily unavailable. Please retry the request.",
            )
        elif rule.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("fault injection: connection dropped")
        elif rule.kind == "expire":
            if vault_plane:
                raise AzureHttpError(
                    401, "Unauthorized", "[TokenExpired] Error validating token: 'S2S12086'."
                )
            raise AzureHttpError(
                401,
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.",
            )


def install(emu: Emulator, spec: FaultSpec | str) -> FaultInjector:
    injector = FaultInjector(FaultSpec.parse(spec) if isinstance(spec, str) else spec)
    emu.before_request.append(injector)
    return injector
