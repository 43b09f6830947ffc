"""The fake DigitalOcean API: shapes, state transitions, pagination, errors, auth, injection."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from tests.fake_do import FakeDigitalOcean, RecordedRequest

TOKEN = "dop_v1_fake_0123456789abcdef"


pytestmark = pytest.mark.usefixtures("loopback")


@pytest.fixture
def fake() -> Iterator[FakeDigitalOcean]:
    with FakeDigitalOcean(token=TOKEN) as server:
        yield server
        assert server.errors == []


@pytest.fixture
def api(fake: FakeDigitalOcean) -> Iterator[Api]:
    with Api(fake) as client:
        yield client


class Api:
    """A tiny raw client: every test sees status, headers and JSON exactly as sent."""

    def __init__(self, fake: FakeDigitalOcean, token: str = TOKEN) -> None:
        self.fake = fake
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else self.fake.url + path
        return self.session.request(method, url, json=body, params=params or None, timeout=5)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **params: Any) -> Any:
        response = self.call(method, path, body, **params)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


def ssh_key(seed: int = 1) -> str:
    # An ssh-ed25519 public key blob: string "ssh-ed25519" + 32 key bytes.
    import base64
    import struct

    kind = b"ssh-ed25519"
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", 32) + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} test@icecfg"


class Clock:
    """A monotonic clock for the fake that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    """Until ``predicate()`` holds (the fake's droplets change state on their own thread); a failure waits long."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


# -- auth and errors -------------------------------------------------------------


def test_requests_without_the_token_are_refused(fake: FakeDigitalOcean) -> None:
    anonymous = requests.get(fake.url + "/v2/account", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["id"] == "unauthorized"
    assert anonymous.json()["message"]
    with Api(fake, token="wrong") as wrong:
        assert wrong.call("GET", "/v2/account").status_code == 401
    with Api(fake, token=TOKEN.upper()) as upper:
        assert upper.call("GET", "/v2/account").status_code == 401
    basic = requests.get(fake.url + "/v2/account", auth=("user", TOKEN), timeout=5)
    assert basic.status_code == 401


def test_the_token_is_never_recorded(fake: FakeDigitalOcean, api: Api) -> None:
    api.ok("GET", "/v2/account")
    api.ok("POST", "/v2/tags", {"name": "icecfg"}, status=201)
    requests.get(fake.url + "/v2/account", headers={"Authorization": "Bearer other-secret"}, timeout=5)
    assert fake.requests[0] == RecordedRequest("GET", "/v2/account", {}, None)
    assert fake.requests[1] == RecordedRequest("POST", "/v2/tags", {}, {"name": "icecfg"})
    assert TOKEN not in repr(fake.requests)
    assert "other-secret" not in repr(fake.requests)
    assert TOKEN not in repr(fake.state)


def test_error_bodies_have_id_and_message(api: Api) -> None:
    missing = api.call("GET", "/v2/droplets/1")
    assert missing.status_code == 404
    assert missing.json()["id"] == "not_found"
    assert missing.json()["message"]
    assert api.call("GET", "/v2/nothing-here").json()["id"] == "not_found"
    wrong_method = api.call("PATCH", "/v2/droplets")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["id"] == "method_not_allowed"
    bad_json = api.session.post(
        api.fake.url + "/v2/tags", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["id"] == "bad_request"
    invalid = api.call("POST", "/v2/tags", {"name": "has space"})
    assert invalid.status_code == 422
    assert invalid.json()["id"] == "unprocessable_entity"


def test_rate_limit_headers_on_every_response(fake: FakeDigitalOcean, api: Api) -> None:
    responses = [
        api.call("GET", "/v2/account"),
        api.call("GET", "/v2/nothing"),
        api.call("POST", "/v2/tags", {"name": "x"}),
        api.call("DELETE", "/v2/tags/x"),  # 204
        requests.get(fake.url + "/v2/account", timeout=5),  # 401
    ]
    remaining = [int(r.headers["RateLimit-Remaining"]) for r in responses]
    assert remaining == [4999, 4998, 4997, 4996, 4995]
    for response in responses:
        assert response.headers["RateLimit-Limit"] == "5000"
        assert int(response.headers["RateLimit-Reset"]) > time.time()
    assert responses[3].status_code == 204
    assert responses[3].content == b""


def test_the_rate_limit_is_enforced() -> None:
    with FakeDigitalOcean(token=TOKEN, rate_limit=2) as fake, Api(fake) as api:
        assert api.call("GET", "/v2/account").status_code == 200
        assert api.call("GET", "/v2/account").status_code == 200
        third = api.call("GET", "/v2/account")
        assert third.status_code == 429
        assert third.json() == {
            "id": "too_many_requests",
            "message": "API rate limit exceeded.",
            "request_id": third.json()["request_id"],
        }
        assert third.headers["RateLimit-Remaining"] == "0"


# -- injection ---------------------------------------------------------------------


def test_inject_fails_the_next_matching_requests(fake: FakeDigitalOcean, api: Api) -> None:
    injection = fake.inject("GET", r"^/v2/snapshots/?$", 429, times=2, headers={"Retry-After": "7"})
    other = api.call("GET", "/v2/account")
    assert other.status_code == 200
    post = api.call("POST", "/v2/tags", {"name": "snapshots"})
    assert post.status_code == 201
    for _ in range(2):
        limited = api.call("GET", "/v2/snapshots")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "7"
        assert "RateLimit-Reset" in limited.headers
        assert limited.json()["id"] == "too_many_requests"
    assert api.call("GET", "/v2/snapshots").status_code == 200
    assert injection.hits == 2
    assert injection.remaining == 0


def test_inject_custom_body_any_method_and_forever(fake: FakeDigitalOcean, api: Api) -> None:
    fake.inject("*", r"/v2/droplets", 500, times=None, body={"id": "server_error", "message": "boom"})
    for method in ("GET", "POST", "DELETE"):
        response = api.call(method, "/v2/droplets/123")
        assert response.status_code == 500
        assert response.json() == {"id": "server_error", "message": "boom"}
    assert api.call("GET", "/v2/account").status_code == 200


def test_inject_by_query_and_with_a_raw_body(fake: FakeDigitalOcean, api: Api) -> None:
    add_snapshots(fake, 3)
    fake.inject("GET", "/v2/snapshots", 502, query={"page": "2"}, body=b"<html>Bad Gateway</html>")
    assert api.call("GET", "/v2/snapshots", per_page=1).status_code == 200
    failed = api.call("GET", "/v2/snapshots", per_page=1, page=2)
    assert failed.status_code == 502
    assert failed.headers["Content-Type"] == "text/html"
    assert failed.content == b"<html>Bad Gateway</html>"
    assert api.call("GET", "/v2/snapshots", per_page=1, page=2).status_code == 200


def test_injected_failures_do_not_change_state(fake: FakeDigitalOcean, api: Api) -> None:
    fake.inject("POST", r"^/v2/tags$", 503)
    assert api.call("POST", "/v2/tags", {"name": "icecfg"}).status_code == 503
    assert fake.state.tags == set()
    assert api.call("POST", "/v2/tags", {"name": "icecfg"}).status_code == 201
    assert fake.state.tags == {"icecfg"}


def test_requests_without_auth_are_not_consumed_by_injections(fake: FakeDigitalOcean, api: Api) -> None:
    fake.inject("GET", "/v2/account", 500)
    assert requests.get(fake.url + "/v2/account", timeout=5).status_code == 401
    assert api.call("GET", "/v2/account").status_code == 500


# -- pagination --------------------------------------------------------------------


def add_snapshots(fake: FakeDigitalOcean, count: int) -> list[str]:
    return [
        fake.add_snapshot(f"icecfg-{i}", 1.0 + i, datetime(2025, 1, i + 1, tzinfo=timezone.utc), tags=["icecfg"])
        for i in range(count)
    ]


def test_pagination_links_are_absolute_and_point_back_at_the_fake(fake: FakeDigitalOcean, api: Api) -> None:
    ids = add_snapshots(fake, 5)
    first = api.ok("GET", "/v2/snapshots", resource_type="droplet", per_page=2)
    assert [s["id"] for s in first["snapshots"]] == ids[:2]
    assert first["meta"] == {"total": 5}
    pages = first["links"]["pages"]
    assert set(pages) == {"next", "last"}
    assert pages["next"].startswith(fake.url + "/v2/snapshots?")
    assert "page=2" in pages["next"]
    assert "per_page=2" in pages["next"]
    assert "resource_type=droplet" in pages["next"]
    assert "page=3" in pages["last"]

    second = api.ok("GET", pages["next"])
    assert [s["id"] for s in second["snapshots"]] == ids[2:4]
    assert set(second["links"]["pages"]) == {"first", "prev", "next", "last"}
    third = api.ok("GET", second["links"]["pages"]["next"])
    assert [s["id"] for s in third["snapshots"]] == ids[4:]
    assert set(third["links"]["pages"]) == {"first", "prev"}
    assert "page=1" in third["links"]["pages"]["first"]
    assert "page=2" in third["links"]["pages"]["prev"]


def test_a_single_page_has_no_links(api: Api) -> None:
    assert api.ok("GET", "/v2/regions")["links"] == {}
    assert api.ok("GET", "/v2/droplets") == {"droplets": [], "links": {}, "meta": {"total": 0}}


def test_per_page_is_clamped_and_validated(fake: FakeDigitalOcean, api: Api) -> None:
    add_snapshots(fake, 3)
    assert len(api.ok("GET", "/v2/snapshots", per_page=1000)["snapshots"]) == 3
    assert len(api.ok("GET", "/v2/snapshots")["snapshots"]) == 3
    assert api.call("GET", "/v2/snapshots", per_page="x").status_code == 400
    assert api.call("GET", "/v2/snapshots", page=0).status_code == 400
    beyond = api.ok("GET", "/v2/snapshots", per_page=2, page=9)
    assert beyond["snapshots"] == []
    assert beyond["meta"] == {"total": 3}


def test_default_page_size_is_20(fake: FakeDigitalOcean, api: Api) -> None:
    add_snapshots(fake, 25)
    page = api.ok("GET", "/v2/snapshots")
    assert len(page["snapshots"]) == 20
    assert "per_page=20" in page["links"]["pages"]["next"]


def test_trailing_slashes_are_accepted(fake: FakeDigitalOcean, api: Api) -> None:
    (ident,) = add_snapshots(fake, 1)
    assert api.ok("GET", "/v2/snapshots/")["meta"]["total"] == 1
    assert api.call("DELETE", f"/v2/snapshots/{ident}/").status_code == 204


# -- snapshots and images ------------------------------------------------------------


def test_snapshot_ids_are_strings_under_snapshots_and_ints_under_images(fake: FakeDigitalOcean, api: Api) -> None:
    created = datetime(2025, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    ident = fake.add_snapshot("icecfg-abc", 2.36, created, tags=["icecfg"], regions=("fra1", "ams3"), droplet_id=42)
    assert isinstance(ident, str)
    (snapshot,) = api.ok("GET", "/v2/snapshots", resource_type="droplet")["snapshots"]
    assert snapshot == {
        "id": ident,
        "name": "icecfg-abc",
        "created_at": "2025-02-03T04:05:06Z",
        "regions": ["fra1", "ams3"],
        "resource_id": "42",
        "resource_type": "droplet",
        "min_disk_size": 25,
        "size_gigabytes": 2.36,
        "tags": ["icecfg"],
    }
    assert api.ok("GET", f"/v2/snapshots/{ident}")["snapshot"] == snapshot
    assert api.ok("GET", "/v2/snapshots", resource_type="volume")["snapshots"] == []

    (image,) = api.ok("GET", "/v2/images", private="true", type="snapshot")["images"]
    assert image["id"] == int(ident)
    assert image["type"] == "snapshot"
    assert image["public"] is False
    assert image["slug"] is None
    assert {
        "name",
        "distribution",
        "regions",
        "created_at",
        "min_disk_size",
        "size_gigabytes",
        "tags",
        "status",
    } <= set(image)
    assert api.ok("GET", f"/v2/images/{ident}")["image"] == image


def test_images_filters(fake: FakeDigitalOcean, api: Api) -> None:
    tagged = fake.add_snapshot("a", 1, "2025-01-01T00:00:00Z", tags=["icecfg"])
    fake.add_snapshot("b", 1, "2025-01-01T00:00:00Z")
    everything = api.ok("GET", "/v2/images", per_page=200)["images"]
    assert any(i["slug"] == "ubuntu-22-04-x64" and i["public"] for i in everything)
    assert [i["name"] for i in api.ok("GET", "/v2/images", private="true")["images"]] == ["a", "b"]
    assert [i["id"] for i in api.ok("GET", "/v2/images", tag_name="icecfg")["images"]] == [int(tagged)]
    distributions = api.ok("GET", "/v2/images", type="distribution")["images"]
    assert distributions
    assert all(i["public"] for i in distributions)
    assert api.ok("GET", "/v2/images/debian-12-x64")["image"]["distribution"] == "Debian"


def test_deleting_snapshots_and_images(fake: FakeDigitalOcean, api: Api) -> None:
    a, b = add_snapshots(fake, 2)
    assert api.call("DELETE", f"/v2/snapshots/{a}").status_code == 204
    assert api.call("GET", f"/v2/snapshots/{a}").status_code == 404
    assert api.call("DELETE", f"/v2/snapshots/{a}").status_code == 404
    assert api.call("DELETE", f"/v2/images/{b}").status_code == 204
    assert api.ok("GET", "/v2/snapshots")["snapshots"] == []
    assert api.call("DELETE", "/v2/images/129211874").status_code == 404  # public images are not yours
    assert api.call("GET", "/v2/snapshots/not-a-number").status_code == 404


def test_image_transfer_action(fake: FakeDigitalOcean, api: Api) -> None:
    (ident,) = add_snapshots(fake, 1)
    action = api.ok("POST", f"/v2/images/{ident}/actions", {"type": "transfer", "region": "ams3"}, status=201)
    assert action["action"]["resource_type"] == "image"
    got = api.ok("GET", f"/v2/images/{ident}/actions/{action['action']['id']}")
    assert got["action"]["status"] == "completed"
    assert api.ok("GET", f"/v2/images/{ident}")["image"]["regions"] == ["fra1", "ams3"]
    # Packer 1.6.6 polls this swapped URL; the real API answers 404 there too.
    assert api.call("GET", f"/v2/images/{action['action']['id']}/actions/{ident}").status_code == 404


# -- keys, droplets, actions ----------------------------------------------------------


def test_ssh_keys(fake: FakeDigitalOcean, api: Api) -> None:
    created = api.ok("POST", "/v2/account/keys", {"name": "packer-1", "public_key": ssh_key()}, status=201)["ssh_key"]
    assert set(created) == {"id", "name", "fingerprint", "public_key"}
    assert isinstance(created["id"], int)
    assert re.fullmatch(r"([0-9a-f]{2}:){15}[0-9a-f]{2}", created["fingerprint"])
    assert api.ok("GET", f"/v2/account/keys/{created['id']}")["ssh_key"] == created
    assert api.ok("GET", f"/v2/account/keys/{created['fingerprint']}")["ssh_key"] == created
    assert api.ok("GET", "/v2/account/keys")["ssh_keys"] == [created]
    again = api.call("POST", "/v2/account/keys", {"name": "dup", "public_key": ssh_key()})
    assert again.status_code == 422
    for bad in (
        "",
        "ssh-rsa",
        "ssh-rsa !!!notbase64",
        "ssh-dss AAAAB3NzaC1kc3M= x",
        ssh_key().replace("ed25519 ", "rsa "),
    ):
        assert api.call("POST", "/v2/account/keys", {"name": "bad", "public_key": bad}).status_code == 422
    assert api.call("DELETE", f"/v2/account/keys/{created['id']}").status_code == 204
    assert api.call("GET", f"/v2/account/keys/{created['id']}").status_code == 404


def test_ssh_key_fingerprint_matches_ssh_keygen(fake: FakeDigitalOcean, api: Api, tmp_path: Any) -> None:
    (tmp_path / "key.pub").write_text(ssh_key(7) + "\n")
    result = subprocess.run(
        ["ssh-keygen", "-l", "-E", "md5", "-f", str(tmp_path / "key.pub")],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = result.stdout.split()[1].removeprefix("MD5:")
    created = api.ok("POST", "/v2/account/keys", {"name": "k", "public_key": ssh_key(7)}, status=201)
    assert created["ssh_key"]["fingerprint"] == expected


DROPLET_KEYS = {
    "id",
    "name",
    "memory",
    "vcpus",
    "disk",
    "locked",
    "status",
    "kernel",
    "created_at",
    "features",
    "backup_ids",
    "next_backup_window",
    "snapshot_ids",
    "image",
    "volume_ids",
    "size",
    "size_slug",
    "networks",
    "region",
    "tags",
    "vpc_uuid",
}


def create_droplet(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "packer-abc",
        "region": "fra1",
        "size": "s-1vcpu-1gb",
        "image": "ubuntu-22-04-x64",
        "ssh_keys": [],
        "backups": False,
        "ipv6": False,
        "private_networking": False,
        "monitoring": False,
        "user_data": "#cloud-config\n",
        "tags": ["icecfg"],
        **overrides,
    }
    answer = api.ok("POST", "/v2/droplets", body, status=202)
    assert set(answer) == {"droplet", "links"}
    return dict(answer)


def test_droplet_boots_from_new_to_active() -> None:
    clock = Clock()
    with (
        FakeDigitalOcean(token=TOKEN, droplet_ip="192.0.2.7", boot_delay=30, clock=clock) as fake,
        Api(fake) as api,
    ):
        answer = create_droplet(api)
        droplet = answer["droplet"]
        assert set(droplet) == DROPLET_KEYS
        assert droplet["status"] == "new"
        assert droplet["networks"] == {"v4": [], "v6": []}
        assert droplet["locked"] is False
        assert droplet["size"]["slug"] == droplet["size_slug"] == "s-1vcpu-1gb"
        assert droplet["region"]["slug"] == "fra1"
        assert droplet["image"]["slug"] == "ubuntu-22-04-x64"
        assert (droplet["memory"], droplet["vcpus"], droplet["disk"]) == (1024, 1, 25)
        (link,) = answer["links"]["actions"]
        assert link["rel"] == "create"
        assert link["href"] == f"{fake.url}/v2/actions/{link['id']}"
        assert api.ok("GET", f"/v2/actions/{link['id']}")["action"]["status"] == "in-progress"

        def status() -> str:
            return str(api.ok("GET", f"/v2/droplets/{droplet['id']}")["droplet"]["status"])

        clock.advance(29.9)
        assert status() == "new"
        clock.advance(0.1)
        assert status() == "active"
        active = api.ok("GET", f"/v2/droplets/{droplet['id']}")["droplet"]
        assert active["networks"]["v4"] == [
            {"ip_address": "192.0.2.7", "netmask": "255.255.240.0", "gateway": "192.0.0.1", "type": "public"}
        ]
        assert api.ok("GET", f"/v2/actions/{link['id']}")["action"]["status"] == "completed"
        assert fake.state.droplets[droplet["id"]].user_data == "#cloud-config\n"


def test_droplet_create_runs_the_hook_with_the_public_keys(fake: FakeDigitalOcean, api: Api) -> None:
    calls: list[tuple[dict[str, Any], list[str]]] = []
    fake.on_droplet_created = lambda droplet, keys: calls.append((droplet, keys))
    key = api.ok("POST", "/v2/account/keys", {"name": "packer", "public_key": ssh_key(3)}, status=201)["ssh_key"]
    other = api.ok("POST", "/v2/account/keys", {"name": "mine", "public_key": ssh_key(4)}, status=201)["ssh_key"]
    answer = create_droplet(api, ssh_keys=[key["id"], other["fingerprint"]])
    ((droplet, keys),) = calls
    assert droplet["id"] == answer["droplet"]["id"]
    assert keys == [ssh_key(3), ssh_key(4)]
    assert fake.state.droplets[droplet["id"]].ssh_keys == [key["id"], other["id"]]


def test_a_failing_hook_fails_the_create(fake: FakeDigitalOcean, api: Api) -> None:
    def broken(droplet: dict[str, Any], keys: list[str]) -> None:
        raise RuntimeError("sshd is not ready")

    fake.on_droplet_created = broken
    response = api.call(
        "POST",
        "/v2/droplets",
        {"name": "d", "region": "fra1", "size": "s-1vcpu-1gb", "image": "debian-12-x64"},
    )
    assert response.status_code == 500
    assert "sshd is not ready" in response.json()["message"]
    assert [str(e) for e in fake.errors] == ["sshd is not ready"]
    fake.errors.clear()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"names": ["a", "b"]}, "one droplet per request"),
        ({"name": "bad name"}, "name"),
        ({"region": "mars1"}, "invalid region"),
        ({"size": "s-99vcpu"}, "invalid size"),
        ({"image": "windows-95"}, "invalid image"),
        ({"image": 999}, "invalid image"),
        ({"ssh_keys": [12345]}, "ssh_keys"),
        ({"tags": ["has space"]}, "invalid tag"),
        ({"size": "s-1vcpu-512mb-10gb", "image": "SNAPSHOT"}, "at least 25 GB"),
    ],
)
def test_droplet_create_validation(fake: FakeDigitalOcean, api: Api, override: dict[str, Any], message: str) -> None:
    if override.get("image") == "SNAPSHOT":
        override["image"] = int(fake.add_snapshot("big", 3, "2025-01-01T00:00:00Z", min_disk_size=25))
    body = {"name": "d", "region": "fra1", "size": "s-1vcpu-1gb", "image": "ubuntu-22-04-x64", **override}
    body = {k: v for k, v in body.items() if not (k == "name" and "names" in override)}
    response = api.call("POST", "/v2/droplets", body)
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert fake.state.droplets == {}


def test_droplet_from_a_snapshot(fake: FakeDigitalOcean, api: Api) -> None:
    ident = fake.add_snapshot("icecfg-x", 1.1, "2025-01-01T00:00:00Z", regions=("fra1",))
    droplet = create_droplet(api, image=int(ident))["droplet"]
    assert droplet["image"]["id"] == int(ident)
    elsewhere = api.call(
        "POST", "/v2/droplets", {"name": "d", "region": "nyc3", "size": "s-1vcpu-1gb", "image": int(ident)}
    )
    assert elsewhere.status_code == 422


def test_list_droplets_by_tag_and_delete(fake: FakeDigitalOcean, api: Api) -> None:
    mine = fake.add_droplet("radio", 129211874, tags=["icecfg"])
    theirs = fake.add_droplet("web", 129211874, tags=["web"])
    assert [d["id"] for d in api.ok("GET", "/v2/droplets", tag_name="icecfg")["droplets"]] == [mine]
    assert [d["id"] for d in api.ok("GET", "/v2/droplets", name="web")["droplets"]] == [theirs]
    assert len(api.ok("GET", "/v2/droplets")["droplets"]) == 2
    assert api.call("DELETE", f"/v2/droplets/{mine}").status_code == 204
    assert api.call("GET", f"/v2/droplets/{mine}").status_code == 404
    assert api.call("DELETE", "/v2/droplets").status_code == 422
    assert api.call("DELETE", "/v2/droplets", tag_name="web").status_code == 204
    assert fake.state.droplets == {}


def test_droplets_boot_in_real_time_by_default() -> None:
    """Without a clock the fake keeps real time: a droplet is new until ``boot_delay`` has passed, then active."""
    with FakeDigitalOcean(token=TOKEN, boot_delay=3600) as fake, Api(fake) as api:
        assert fake.clock is time.monotonic
        droplet_id = create_droplet(api)["droplet"]["id"]
        assert api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["status"] == "new"  # an hour has not passed
    with FakeDigitalOcean(token=TOKEN, boot_delay=0.2) as fake, Api(fake) as api:
        droplet_id = create_droplet(api)["droplet"]["id"]
        wait_for(lambda: api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["status"] == "active")


def test_power_actions_and_locking() -> None:
    clock = Clock()
    with FakeDigitalOcean(token=TOKEN, action_delay=60, clock=clock) as fake, Api(fake) as api:
        droplet_id = fake.add_droplet("radio", 129211874)
        action = api.ok("POST", f"/v2/droplets/{droplet_id}/actions", {"type": "shutdown"}, status=201)["action"]
        assert set(action) == {
            "id",
            "status",
            "type",
            "started_at",
            "completed_at",
            "resource_id",
            "resource_type",
            "region",
            "region_slug",
        }
        assert (action["status"], action["type"], action["resource_id"]) == (
            "in-progress",
            "shutdown",
            droplet_id,
        )
        assert action["completed_at"] is None
        assert api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["locked"] is True
        busy = api.call("POST", f"/v2/droplets/{droplet_id}/actions", {"type": "shutdown"})
        assert busy.status_code == 422
        assert busy.json()["message"] == "Droplet already has a pending event."

        def current() -> dict[str, Any]:
            return dict(api.ok("GET", f"/v2/droplets/{droplet_id}/actions/{action['id']}")["action"])

        clock.advance(59)
        assert current()["status"] == "in-progress"
        clock.advance(1)
        assert current()["status"] == "completed"
        assert current()["completed_at"]
        droplet = api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]
        assert (droplet["status"], droplet["locked"]) == ("off", False)
        assert api.ok("GET", f"/v2/actions/{action['id']}")["action"] == current()

        api.ok("POST", f"/v2/droplets/{droplet_id}/actions", {"type": "power_on"}, status=201)
        clock.advance(60)
        assert api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["status"] == "active"
        actions = api.ok("GET", f"/v2/droplets/{droplet_id}/actions")["actions"]
        assert [a["type"] for a in actions] == ["shutdown", "power_on"]
        assert api.call("GET", f"/v2/droplets/{droplet_id}/actions/999").status_code == 404
        assert api.call("POST", f"/v2/droplets/{droplet_id}/actions", {"type": "explode"}).status_code == 422


def test_snapshot_action_creates_the_image_packer_looks_for(fake: FakeDigitalOcean, api: Api) -> None:
    droplet = create_droplet(api)["droplet"]
    api.ok("POST", f"/v2/droplets/{droplet['id']}/actions", {"type": "power_off"}, status=201)
    assert api.ok("GET", f"/v2/droplets/{droplet['id']}")["droplet"]["status"] == "off"
    action = api.ok(
        "POST",
        f"/v2/droplets/{droplet['id']}/actions",
        {"type": "snapshot", "name": "icecfg-abc"},
        status=201,
    )["action"]
    assert api.ok("GET", f"/v2/droplets/{droplet['id']}/actions/{action['id']}")["action"]["status"] == "completed"
    assert api.ok("GET", f"/v2/droplets/{droplet['id']}")["droplet"]["locked"] is False
    listed = api.ok("GET", f"/v2/droplets/{droplet['id']}/snapshots")
    (image,) = listed["snapshots"]
    assert isinstance(image["id"], int)
    assert (image["name"], image["type"], image["regions"]) == ("icecfg-abc", "snapshot", ["fra1"])
    assert image["min_disk_size"] == 25
    assert listed["meta"] == {"total": 1}
    assert api.ok("GET", f"/v2/droplets/{droplet['id']}")["droplet"]["snapshot_ids"] == [image["id"]]
    (snapshot,) = api.ok("GET", "/v2/snapshots", resource_type="droplet")["snapshots"]
    assert snapshot["id"] == str(image["id"])
    assert snapshot["resource_id"] == str(droplet["id"])
    # The image outlives its droplet.
    api.call("DELETE", f"/v2/droplets/{droplet['id']}")
    assert api.ok("GET", f"/v2/images/{image['id']}")["image"]["name"] == "icecfg-abc"


def test_a_droplet_deleted_mid_action_errors_the_action() -> None:
    clock = Clock()
    with FakeDigitalOcean(token=TOKEN, action_delay=5, clock=clock) as fake, Api(fake) as api:
        droplet_id = fake.add_droplet("radio", 129211874)
        action = api.ok("POST", f"/v2/droplets/{droplet_id}/actions", {"type": "snapshot"}, status=201)["action"]
        api.call("DELETE", f"/v2/droplets/{droplet_id}")
        clock.advance(5)
        assert api.ok("GET", f"/v2/actions/{action['id']}")["action"]["status"] == "errored"
        assert [i.name for i in fake.state.images.values() if not i.public] == []


# -- tags -----------------------------------------------------------------------------


def test_tags_and_tagging_resources(fake: FakeDigitalOcean, api: Api) -> None:
    ident = fake.add_snapshot("icecfg-a", 1, "2025-01-01T00:00:00Z")
    droplet_id = fake.add_droplet("radio", int(ident))
    resources = {
        "resources": [
            {"resource_id": ident, "resource_type": "image"},
            {"resource_id": str(droplet_id), "resource_type": "droplet"},
        ]
    }
    assert api.call("POST", "/v2/tags/icecfg/resources", resources).status_code == 404  # no such tag yet
    tag = api.ok("POST", "/v2/tags", {"name": "icecfg"}, status=201)["tag"]
    assert tag["name"] == "icecfg"
    assert tag["resources"]["count"] == 0
    assert api.call("POST", "/v2/tags", {"name": "icecfg"}).status_code == 201  # creating again is harmless
    assert api.call("POST", "/v2/tags/icecfg/resources", resources).status_code == 204
    assert api.ok("GET", f"/v2/snapshots/{ident}")["snapshot"]["tags"] == ["icecfg"]
    assert api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["tags"] == ["icecfg"]
    counts = api.ok("GET", "/v2/tags/icecfg")["tag"]["resources"]
    assert (counts["count"], counts["droplets"]["count"], counts["images"]["count"]) == (2, 1, 1)
    assert [t["name"] for t in api.ok("GET", "/v2/tags")["tags"]] == ["icecfg"]

    as_int = {"resources": [{"resource_id": int(ident), "resource_type": "image"}]}
    assert api.call("POST", "/v2/tags/icecfg/resources", as_int).status_code == 422
    unknown = {"resources": [{"resource_id": "1", "resource_type": "image"}]}
    assert api.call("POST", "/v2/tags/icecfg/resources", unknown).status_code == 404
    bad_type = {"resources": [{"resource_id": ident, "resource_type": "kettle"}]}
    assert api.call("POST", "/v2/tags/icecfg/resources", bad_type).status_code == 422

    assert api.call("DELETE", "/v2/tags/icecfg/resources", resources).status_code == 204
    assert api.ok("GET", f"/v2/snapshots/{ident}")["snapshot"]["tags"] == []
    api.call("POST", "/v2/tags/icecfg/resources", resources)
    assert api.call("DELETE", "/v2/tags/icecfg").status_code == 204
    assert api.ok("GET", f"/v2/droplets/{droplet_id}")["droplet"]["tags"] == []
    assert api.call("GET", "/v2/tags/icecfg").status_code == 404


# -- domains and records -----------------------------------------------------------------


def test_domain_records(fake: FakeDigitalOcean, api: Api) -> None:
    fake.add_domain("example.com")
    records = api.ok("GET", "/v2/domains/example.com/records")["domain_records"]
    assert [r["type"] for r in records] == ["NS", "NS", "NS", "SOA"]
    assert set(records[0]) == {
        "id",
        "type",
        "name",
        "data",
        "priority",
        "port",
        "ttl",
        "weight",
        "flags",
        "tag",
    }
    created = api.ok(
        "POST",
        "/v2/domains/example.com/records",
        {"type": "A", "name": "radio", "data": "192.0.2.1", "ttl": 60},
        201,
    )["domain_record"]
    assert (created["name"], created["data"], created["ttl"]) == ("radio", "192.0.2.1", 60)
    fake.add_record("example.com", "A", "www", "192.0.2.2")
    fake.add_record("example.com", "TXT", "radio", "hello")

    by_fqdn = api.ok("GET", "/v2/domains/example.com/records", type="A", name="radio.example.com")
    assert [r["id"] for r in by_fqdn["domain_records"]] == [created["id"]]
    assert api.ok("GET", "/v2/domains/example.com/records", name="radio")["domain_records"] == []
    assert len(api.ok("GET", "/v2/domains/example.com/records", name="radio.example.com")["domain_records"]) == 2
    apex = api.ok("GET", "/v2/domains/example.com/records", name="example.com")["domain_records"]
    assert {r["type"] for r in apex} == {"NS", "SOA"}

    path = f"/v2/domains/example.com/records/{created['id']}"
    put = api.ok("PUT", path, {"type": "A", "data": "192.0.2.9"})["domain_record"]
    assert (put["data"], put["ttl"]) == ("192.0.2.9", 60)
    patched = api.ok("PATCH", path, {"ttl": 300})["domain_record"]
    assert (patched["data"], patched["ttl"]) == ("192.0.2.9", 300)
    assert api.ok("GET", path)["domain_record"] == patched
    assert api.call("PUT", path, {"type": "CNAME"}).status_code == 422
    assert api.call("PATCH", path, {"data": "not-an-ip"}).status_code == 422
    assert api.call("PATCH", path, {"ttl": 5}).status_code == 422
    assert api.call("DELETE", path).status_code == 204
    assert api.call("GET", path).status_code == 404
    assert api.call("GET", "/v2/domains/nope.example/records").status_code == 404
    bad = {"type": "A", "name": "x", "data": "2001:db8::1"}
    assert api.call("POST", "/v2/domains/example.com/records", bad).status_code == 422


def test_domains(api: Api) -> None:
    created = api.ok("POST", "/v2/domains", {"name": "example.org", "ip_address": "192.0.2.3"}, status=201)
    assert created["domain"]["name"] == "example.org"
    assert api.call("POST", "/v2/domains", {"name": "example.org"}).status_code == 422
    assert [d["name"] for d in api.ok("GET", "/v2/domains")["domains"]] == ["example.org"]
    records = api.ok("GET", "/v2/domains/example.org/records", type="A")["domain_records"]
    assert [(r["name"], r["data"]) for r in records] == [("@", "192.0.2.3")]
    assert api.call("DELETE", "/v2/domains/example.org").status_code == 204
    assert api.call("GET", "/v2/domains/example.org").status_code == 404


# -- regions, sizes, account ---------------------------------------------------------------


def test_sizes_have_the_reference_prices(api: Api) -> None:
    sizes = {s["slug"]: s for s in api.ok("GET", "/v2/sizes")["sizes"]}
    assert sizes["s-1vcpu-512mb-10gb"] | {"regions": None} == {
        "slug": "s-1vcpu-512mb-10gb",
        "memory": 512,
        "vcpus": 1,
        "disk": 10,
        "transfer": 0.5,
        "price_monthly": 4.0,
        "price_hourly": 0.00595,
        "regions": None,
        "available": True,
        "description": "Basic",
    }
    assert (sizes["s-1vcpu-1gb"]["price_monthly"], sizes["s-1vcpu-1gb"]["transfer"]) == (6.0, 1.0)
    for size in sizes.values():
        assert size["price_hourly"] == pytest.approx(size["price_monthly"] / 672, abs=1e-5)
        assert "fra1" in size["regions"]


def test_regions(api: Api) -> None:
    regions = api.ok("GET", "/v2/regions", page=1, per_page=200)["regions"]
    fra1 = next(r for r in regions if r["slug"] == "fra1")
    assert set(fra1) == {"slug", "name", "sizes", "available", "features"}
    assert "s-1vcpu-1gb" in fra1["sizes"]


def test_account(fake: FakeDigitalOcean, api: Api) -> None:
    account = api.ok("GET", "/v2/account")["account"]
    assert account["uuid"] == fake.account_uuid
    assert account["status"] == "active"
    assert isinstance(account["droplet_limit"], int)


# -- life cycle ------------------------------------------------------------------------------


def test_urls() -> None:
    with FakeDigitalOcean() as fake:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.url)
        assert fake.end_point == fake.url + "/v2/"


def test_stop_closes_kept_alive_connections() -> None:
    fake = FakeDigitalOcean(token=TOKEN)
    with fake, Api(fake) as api:
        assert api.call("GET", "/v2/account").status_code == 200
        url = fake.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/v2/account", timeout=2)


def test_python_digitalocean_reads_through_the_fake(fake: FakeDigitalOcean, monkeypatch: pytest.MonkeyPatch) -> None:
    import digitalocean  # type: ignore[import-untyped]

    monkeypatch.setenv("DIGITALOCEAN_END_POINT", fake.end_point)
    ids = add_snapshots(fake, 5)
    manager = digitalocean.Manager(token=TOKEN)
    data = manager.get_data("snapshots/", params={"per_page": 2, "resource_type": "droplet"})
    assert [s["id"] for s in data["snapshots"]] == ids
    assert [r.method for r in fake.requests] == ["GET", "GET", "GET"]
