"""The console's retry policy: a few quick retries, never a wait of minutes, no double writes.

azure-core's default retries 10 times with up to 120 s back-off and sleeps whatever Retry-After
says. A person is waiting on the other side of the screen, so here:

- at most ``RETRY_TOTAL`` retries, back-off 0 s, 1 s, 2 s (``BACKOFF_FACTOR``, ``BACKOFF_MAX``);
- Retry-After is honoured up to ``MAX_RETRY_AFTER`` seconds; a longer one is not waited for: the
  error (ThrottledError with ``retry_after``) reaches the user at once and says when to retry;
- a request that is not idempotent (setting a secret creates a new version each time; POST
  actions such as recover or a workflow run; read-only POST queries are retried) is retried
  only on 429, which Azure sends for requests it did not process. A dropped
  connection or a 5xx may hide a processed request, so the user decides after re-reading.

Everything else (PUT of an access policy ``add``/``remove``, a role assignment PUT with its
fixed name, the firewall PATCH, GET, DELETE) is idempotent and retried as azure-core does.
"""

from __future__ import annotations

import re
from typing import Any

from azure.core.pipeline.policies import AsyncRetryPolicy

RETRY_TOTAL = 3
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 2
MAX_RETRY_AFTER = 5.0

# Key Vault data plane: PUT /secrets/{name} adds a version; the same request twice adds two.
_SECRET_SET = re.compile(r"^/secrets/[^/]+/?$", re.IGNORECASE)
# POSTs that only read (queries): retried like a GET.
_READ_POSTS = re.compile(
    r"/providers/Microsoft\.ResourceGraph/resources/?$|/directoryObjects/getByIds/?$"
    r"|/listCallbackUrl/?$",
    re.IGNORECASE,
)


def is_idempotent(method: str, path: str) -> bool:
    """May this request be sent twice with the same effect as once?"""
    method = method.upper()
    if method == "POST":
        return bool(_READ_POSTS.search(path))
    return not (method == "PUT" and _SECRET_SET.match(path))


# The SDK types the policy by its transport; ours wraps any (aiohttp, the emulator's).
class ConsoleRetryPolicy(AsyncRetryPolicy[Any, Any]):
    def __init__(self, *, max_retry_after: float = MAX_RETRY_AFTER, **kwargs: Any) -> None:
        kwargs.setdefault("retry_total", RETRY_TOTAL)
        kwargs.setdefault("retry_backoff_factor", BACKOFF_FACTOR)
        kwargs.setdefault("retry_backoff_max", BACKOFF_MAX)
        super().__init__(**kwargs)
        self.max_retry_after = max_retry_after

    @staticmethod
    def _idempotent(request: Any) -> bool:
        from urllib.parse import urlsplit

        return is_idempotent(request.method, urlsplit(request.url).path)

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        status = response.http_response.status_code
        if status < 400:
            return False
        retry_after = self.get_retry_after(response)
        if retry_after is not None and retry_after > self.max_retry_after:
            return False  # not worth a frozen screen: the user is told when to retry
        if status != 429 and not self._idempotent(response.http_request):
            return False
        return bool(super().is_retry(settings, response))

    def _is_method_retryable(
        self, settings: dict[str, Any], request: Any, response: Any = None
    ) -> bool:
        # Reached for transport errors (no response) and 5xx: a non-idempotent request may have
        # been processed already.
        if not self._idempotent(request):
            return bool(response is not None and response.status_code == 429)
        # Our rule decides, not azure-core's method list: it never retries a PATCH (nor a POST)
        # after a 500/503/504 or a dropped connection, but the firewall PATCH sends the whole
        # networkAcls and read-only POSTs are queries: sending them again changes nothing.
        return True


RETRY_KEYS = frozenset(
    ("retry_total", "retry_backoff_factor", "retry_backoff_max", "max_retry_after")
)


def retry_policy(options: dict[str, Any]) -> ConsoleRetryPolicy:
    """The policy for a client, taking ``retry_*`` overrides from the connection's options."""
    return ConsoleRetryPolicy(**{k: options[k] for k in RETRY_KEYS if k in options})
