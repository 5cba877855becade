"""A fault the emulator's --faults cannot make: the request is processed, the answer is lost."""

from __future__ import annotations

import fnmatch
import random

from emulator.server import Emulator


class LostResponses:
    """Azure processed the request, then the connection dropped: the worst case for a retry.

    (The emulator's own ``drop`` fault drops *before* processing.) ``hit`` lists the requests
    whose answer was lost; ``enabled`` switches the fault off (e.g. while verifying).
    """

    def __init__(
        self, pattern: str, *, times: int | None = 1, probability: float = 1.0, seed: int = 0
    ) -> None:
        self.pattern = pattern
        self.times = times
        self.probability = probability
        self.random = random.Random(seed)
        self.hit: list[str] = []
        self.enabled = True

    async def __call__(self, request) -> None:
        what = f"{request.method} {request.path}"
        if not self.enabled or not fnmatch.fnmatchcase(what, self.pattern):
            return
        if self.times is not None and len(self.hit) >= self.times:
            return
        if self.random.random() >= self.probability:
            return
        response = await request.match_info.handler(request)  # processed: the state changed
        if response.status >= 400:
            return  # refused: nothing to lose (the handler runs again and refuses again)
        self.hit.append(what)
        if request.transport is not None:
            request.transport.abort()
        raise ConnectionResetError("test fault: response lost")


def lose_response(emu: Emulator, pattern: str, times: int | None = 1, **kwargs) -> LostResponses:
    faults = LostResponses(pattern, times=times, **kwargs)
    emu.before_request.append(faults)
    return faults
