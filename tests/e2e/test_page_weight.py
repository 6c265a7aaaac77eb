"""The voting page stays tiny on the wire: at most 30 KB with its CSS and JS, gzip."""

from __future__ import annotations

import gzip
import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUDGET = 30 * 1024


class Session:
    """A minimal browser: cookies, gzip accepted, bytes counted as transferred."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[bytes, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers={"Accept-Encoding": "gzip", "Accept-Language": "ar"})
        with self.opener.open(request) as response:
            raw = response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
        body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
        return raw, headers, body

    def post(self, path: str, data: dict[str, str]) -> None:
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode())
        with self.opener.open(request) as response:
            response.read()


def test_voting_page_with_assets_is_at_most_30_kb_gzip(web_server, demo_data):
    session = Session(web_server)
    _raw, _headers, landing = session.get("/c/nextstrategy/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', landing).group(1).decode()
    session.post("/c/nextstrategy/", {"consent": "yes", "csrfmiddlewaretoken": token})

    raw, headers, html = session.get("/c/nextstrategy/vote/")
    assert b'name="choice"' in html, "the voting page shows a statement"
    assert headers.get("content-encoding") == "gzip"
    sizes = {"/c/nextstrategy/vote/": len(raw)}
    assets = re.findall(rb'<(?:link[^>]+href|script[^>]+src)="([^"]+)"', html)
    assert assets, "the page links its stylesheet"
    for asset in assets:
        path = asset.decode()
        assert path.startswith("/static/"), f"external or unexpected resource {path}"
        raw, headers, _body = session.get(path)
        assert headers.get("content-encoding") == "gzip", f"{path} is served compressed"
        assert "max-age" in headers.get("cache-control", ""), f"{path} is cacheable"
        sizes[path] = len(raw)
    total = sum(sizes.values())
    print(f"\nvoting page transferred: {total} bytes gzip: {sizes}")
    assert total <= BUDGET
