"""A tracker that misbehaves costs the user nothing: not the cache, not a hang, not the token.

Each fault against a local fake tracker on 127.0.0.1 (tests/trackers/fake_apis.py): 401, 403
rate limit, 429 Retry-After, 5xx, malformed JSON, an empty body, a connection reset, a trickle,
an endless answer, a stall, a redirect to another host and a next-page link to another host.
After every one the refresh says what went wrong, the cached issues are all still there (in
memory and on disk), it took no longer than its deadline, and no secret reached a message, a
log line or the other host. The soak (`make soak`) cycles through the faults many times.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from backlog_ls.providers.trackers import TrackerError, make_provider
from backlog_ls.providers.trackers.service import IssueService
from backlog_ls.tracker import Repository
from backlog_ls.tracker.settings import IssuesSettings

from ..trackers.fake_apis import FakeTracker
from . import budget

SECRET = "ghp_FAULTSsecret0123456789abcdef"
TIMEOUT = 1.0  # [issues] timeout: each request, body included
CACHED = 12


def _service(fake: FakeTracker, cache_dir: Path) -> IssueService:
    repository = Repository(fake.kind, fake.owner, fake.name, "127.0.0.1", fake.api_url)
    environ = {"GH_ENTERPRISE_TOKEN": SECRET, "GITLAB_TOKEN": SECRET, "GITEA_TOKEN": SECRET}
    settings = IssuesSettings(timeout=TIMEOUT)
    return IssueService(settings, None, str(cache_dir), environ, repository=repository, use_gh=False)


def _cached_numbers(fake: FakeTracker, cache_dir: Path) -> list[int]:
    """What a new window (a restart) reads from the cache file."""
    return sorted(issue.number for issue in _service(fake, cache_dir).all())


# A request cut off by its own deadline, or (on a machine too busy to get there first) the whole refresh's.
CUT_OFF = ("did not answer in time", "the refresh did not finish within")

# fault name -> (how to set it up, the error kind, words of its message: one of them when a tuple)
FAULTS = {
    "401": (lambda fake: setattr(fake, "fail", (401, {}, {"message": "Bad credentials"})), "auth", "refused access"),
    "403 rate limit": (
        lambda fake: setattr(
            fake,
            "fail",
            (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 600)}, {"message": "API rate limit exceeded"}),
        ),
        "rate_limited",
        "rate limit reached",
    ),
    "429 Retry-After": (lambda fake: setattr(fake, "fail", (429, {"Retry-After": "120"}, "")), "rate_limited", "retry after"),
    "500": (lambda fake: setattr(fake, "fail", (500, {}, {"message": "boom"})), "unavailable", "is unavailable (500)"),
    "502": (lambda fake: setattr(fake, "fail", (502, {}, "<html>Bad gateway</html>")), "unavailable", "is unavailable (502)"),
    "503": (lambda fake: setattr(fake, "fail", (503, {"Retry-After": "1"}, "")), "unavailable", "is unavailable (503)"),
    "malformed JSON": (lambda fake: setattr(fake, "malformed", True), "bad_response", "not JSON"),
    "empty body": (lambda fake: setattr(fake, "fault", "empty"), "bad_response", "not JSON"),
    "connection reset": (lambda fake: setattr(fake, "fault", "reset"), "unavailable", "cannot reach"),
    "trickle": (lambda fake: setattr(fake, "fault", "trickle"), "unavailable", CUT_OFF),
    "endless": (lambda fake: setattr(fake, "fault", "endless"), "bad_response", "sent too much"),
    "stall": (lambda fake: setattr(fake, "stall", 60.0), "unavailable", CUT_OFF),
    "redirect to another host": (lambda fake: setattr(fake, "fault", "redirect"), "bad_response", "redirected"),
    "next-page link to another host": (lambda fake: setattr(fake, "fault", "link-elsewhere"), "bad_response", "next-page link"),
}


def _as_expected(error: TrackerError, fault: str) -> bool:
    """The error names the fault. An endless answer may also be cut off by the deadline first:
    a busy machine can take longer than TIMEOUT to read the 32 MiB the cap allows."""
    _setup, kind, words = FAULTS[fault]
    alternatives = [(kind, word) for word in (words if isinstance(words, tuple) else (words,))]
    if fault == "endless":
        alternatives += [("unavailable", word) for word in CUT_OFF]
    return any(error.kind == expected and word in error.message for expected, word in alternatives)


def _clear(fake: FakeTracker) -> None:
    fake.fail, fake.malformed, fake.fault, fake.stall = None, False, None, 0.0


@pytest.fixture(params=["github", "gitlab", "gitea"])
def trackers(request):
    """The tracker with CACHED issues, and another host the faults point at."""
    with FakeTracker(request.param) as fake, FakeTracker(request.param) as elsewhere:
        fake.per_page = 5  # the listing has pages, so a next-page link is followed (or not)
        for number in range(1, CACHED + 1):
            fake.add(number, updated=f"2024-01-{number:02d}T00:00:00Z")
        fake.elsewhere = f"http://localhost:{elsewhere.port}"
        yield fake, elsewhere


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_fault_is_reported_and_costs_nothing(trackers, fault, tmp_path, caplog):
    fake, elsewhere = trackers
    caplog.set_level(logging.INFO, logger="backlog_ls")
    service = _service(fake, tmp_path)
    assert (await service.refresh()).error is None and len(service) == CACHED
    setup, kind, _words = FAULTS[fault]
    setup(fake)
    started = time.monotonic()
    result = await service.refresh(force=True)
    elapsed = time.monotonic() - started
    _clear(fake)

    assert result.error is not None, fault
    assert _as_expected(result.error, fault), result.error
    assert elapsed < service.deadline + 4, f"{fault} took {elapsed:.1f} s"  # the deadline, with room for a busy machine
    assert len(service) == CACHED and _cached_numbers(fake, tmp_path) == list(range(1, CACHED + 1))
    assert service.state == "warning" and SECRET not in service.status
    texts = [result.error.message, repr(result.error), service.status, caplog.text]
    assert not any(SECRET in text for text in texts)
    assert elsewhere.requests == []  # neither a redirect nor a link took anything to the other host
    if kind == "rate_limited":  # honoured: no request before the reset
        asked = len(fake.requests)
        assert (await service.refresh()).error is not None and len(fake.requests) == asked


async def test_the_refusal_of_a_cross_host_link_is_logged_once_without_the_token(trackers, tmp_path, caplog):
    fake, elsewhere = trackers
    service = _service(fake, tmp_path)
    fake.fault = "link-elsewhere"
    for _ in range(3):
        await service.refresh(force=True)
    refusals = [record.getMessage() for record in caplog.records if "next-page link" in record.getMessage()]
    assert len(refusals) == 1, refusals
    assert f"localhost:{elsewhere.port}" in refusals[0] and SECRET not in refusals[0]
    assert elsewhere.requests == [] and len(service) == 0  # nothing half-listed was taken either


async def test_the_token_goes_only_to_the_configured_origin_over_https_or_loopback(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        repository = Repository("github", "octo", "repo", "127.0.0.1", fake.api_url)
        await make_provider(repository, SECRET).list_issues()
        assert [SECRET.encode() in request.raw for request in fake.requests] == [True]  # loopback: plain http is fine
        # The same server named as localhost is another origin: the token stays home.
        other_name = fake.api_url.replace("127.0.0.1", "localhost")
        provider = make_provider(repository, SECRET, api_url=fake.api_url)
        async with provider._client() as client:
            await provider._send(client, "GET", other_name + "/repos/octo/repo/issues")
        assert SECRET.encode() not in fake.requests[-1].raw and b"authorization" not in fake.requests[-1].raw.lower()


def test_a_token_is_never_sent_over_plain_http_to_another_machine():
    from backlog_ls.providers.trackers.transport import token_refusal

    assert token_refusal("https://git.example.com/api/v3/x", "https://git.example.com/api/v3") is None
    assert token_refusal("https://git.example.com:443/api", "https://git.example.com/api") is None
    for loopback in ("http://127.0.0.1:8080/api", "http://127.5.0.1:8/api", "http://[::1]:9/api", "http://localhost:7/api"):
        assert token_refusal(loopback, loopback) is None
    assert "plain http" in token_refusal("http://git.example.com/api/v3/x", "http://git.example.com/api/v3")
    assert "not the configured tracker" in token_refusal("https://evil.example/x", "https://git.example.com/api/v3")
    assert "not the configured tracker" in token_refusal("https://git.example.com:8443/x", "https://git.example.com/api")
    assert "not the configured tracker" in token_refusal("http://git.example.com/x", "https://git.example.com/api")


async def test_plain_http_to_another_machine_gets_no_token_and_says_why(tmp_path, caplog):
    import httpx

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"message": "Requires authentication"})

    repository = Repository("github", "octo", "repo", "git.example.com", "http://git.example.com/api/v3")
    provider = make_provider(repository, SECRET, transport=httpx.MockTransport(answer))
    with pytest.raises(TrackerError) as caught:
        await provider.list_issues()
    assert "authorization" not in seen[0].headers
    assert "the token was not sent" in caught.value.message and "plain http" in caught.value.message
    assert SECRET not in caught.value.message and SECRET not in caplog.text


async def test_an_empty_answer_to_a_forced_refresh_keeps_the_cache_and_says_why(trackers, tmp_path):
    fake, _ = trackers
    service = _service(fake, tmp_path)
    await service.refresh()
    fake.fail = (200, {}, [])  # the whole listing, and the repository, answer `[]`
    result = await service.refresh(force=True)
    assert result.error is not None and not result.changed
    assert f"listed 0 issues where the cache holds {CACHED}" in result.error.message
    assert "the cache is kept" in service.status
    assert len(service) == CACHED and _cached_numbers(fake, tmp_path) == list(range(1, CACHED + 1))
    fake.fail = None
    assert (await service.refresh(force=True)).error is None and service.state == "ready"


async def test_a_listing_that_shrinks_by_half_is_suspect_too(trackers, tmp_path):
    fake, _ = trackers
    service = _service(fake, tmp_path)
    await service.refresh()
    fake.unlisted = set(range(4, CACHED + 1))  # gone from the listing, still counted by the tracker
    result = await service.refresh(force=True)
    assert result.error is not None and f"listed 3 issues where the cache holds {CACHED}" in result.error.message
    assert len(service) == CACHED and _cached_numbers(fake, tmp_path) == list(range(1, CACHED + 1))


async def test_a_shrink_the_tracker_confirms_is_taken(trackers, tmp_path):
    fake, _ = trackers
    service = _service(fake, tmp_path)
    await service.refresh()
    fake.issues = []  # really gone: the repository counts no open issue either
    result = await service.refresh(force=True)
    assert result.error is None and result.changed and len(service) == 0
    assert _cached_numbers(fake, tmp_path) == []


async def test_the_faults_in_a_row_never_lose_a_cached_issue(tmp_path):
    """The soak: faults cycled (and mixed with good answers), each refresh bounded, the cache whole."""
    names = list(FAULTS)
    rounds = budget.count(fast=len(names), soak=400)
    stop_at = time.monotonic() + budget.seconds(fast=90.0, soak=900.0)
    done = 0
    with FakeTracker("github") as fake, FakeTracker("github") as elsewhere:
        fake.per_page = 5
        for number in range(1, CACHED + 1):
            fake.add(number, updated=f"2024-01-{number:02d}T00:00:00Z")
        fake.elsewhere = f"http://localhost:{elsewhere.port}"
        service = _service(fake, tmp_path)
        await service.refresh()
        for round_number in range(rounds):
            if time.monotonic() > stop_at:
                break
            service.retry_at = None  # a rate limit would pause the rest of the soak
            fault = names[round_number % len(names)]
            setup = FAULTS[fault][0]
            setup(fake)
            result = await service.refresh(force=round_number % 2 == 0)
            _clear(fake)
            assert result.error is not None and _as_expected(result.error, fault), (fault, result.error)
            assert len(service) == CACHED
            done += 1
        assert elsewhere.requests == []
        assert not any(SECRET.encode() in request.raw for request in elsewhere.requests)
    assert _cached_numbers(fake, tmp_path) == list(range(1, CACHED + 1))
    budget.report("tracker faults", refreshes=done, faults=len(names))


ENDLESS_CLIENT = textwrap.dedent(
    """
    import asyncio, sys
    from backlog_ls.providers.trackers import TrackerError, make_provider
    from backlog_ls.tracker import Repository

    async def main():
        repository = Repository("github", "octo", "repo", "127.0.0.1", sys.argv[1])
        try:
            await make_provider(repository, None, timeout=30.0).list_issues()
        except TrackerError as error:
            print(error.kind, error.message, file=sys.stderr)
        # VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork and exec.
        with open("/proc/self/status") as status:
            print(next(line for line in status if line.startswith("VmHWM:")).split()[1])

    asyncio.run(main())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_an_endless_answer_leaves_the_process_well_under_150_mib():
    with FakeTracker("github") as fake:
        fake.fault = "endless"
        run = subprocess.run(
            [sys.executable, "-c", ENDLESS_CLIENT, fake.api_url], capture_output=True, text=True, timeout=60, env=dict(os.environ)
        )
        sent = fake.sent_bytes
    assert run.returncode == 0, run.stderr
    peak_mib = int(run.stdout.split()[-1]) / 1024
    assert "sent too much" in run.stderr, run.stderr
    assert peak_mib < 150, f"peak RSS {peak_mib:.0f} MiB"
    assert sent > 32 * 1024 * 1024  # the server did send more than the cap
    print(f"endless answer: peak RSS {peak_mib:.0f} MiB after the server sent {sent / 2**20:.0f} MiB", file=sys.stderr)
