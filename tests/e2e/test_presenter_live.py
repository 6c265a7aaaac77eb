"""Headless Chromium on the real ASGI server: a facilitator pins a statement from the dashboard and the
open event screen shows it large without reloading, follows its votes, then returns to the overview."""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async

from tests.e2e.conftest import log_in
from tests.e2e.test_dashboard_live import Voter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio(loop_scope="session")]

PINNED_TOTAL = 'document.querySelector(\'[data-section="pinned"] [data-pin-key="overall"] [data-pin="total"]\')'


async def test_a_pinned_statement_reaches_the_open_screen_live(web_server, demo_data, facilitator, browser):
    context = await browser.new_context(locale="en-GB")
    dashboard = await context.new_page()
    errors: list[str] = []
    dashboard.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(dashboard, web_server, "/facilitate/nextstrategy/")

    screen = await (await browser.new_context()).new_page()
    screen.on("pageerror", lambda exc: errors.append(str(exc)))
    await screen.goto(f"{web_server}/c/nextstrategy/screen/")
    await screen.wait_for_selector("[data-live][data-connected=true]", timeout=10_000)
    assert await screen.get_attribute("[data-live]", "data-view") == "overview"
    await screen.evaluate("window.loadedOnce = true")  # gone if the page reloads

    # The statement a voter is about to be asked: the one under discussion.
    voter = Voter(web_server)
    await database_sync_to_async(voter.join)()
    page = await database_sync_to_async(voter.get)("/c/nextstrategy/vote/")
    statement = re.search(r'name="statement" value="(\d+)"', page).group(1)

    await dashboard.select_option("#pin-select", statement)
    await (
        dashboard.locator("form.screen-control", has=dashboard.locator("#pin-select"))
        .get_by_role("button", name="Pin on screen")
        .click()
    )
    await dashboard.wait_for_selector(f'[data-screen-pinned="{statement}"]', timeout=10_000)

    pinned = screen.locator('[data-section="pinned"]')
    await pinned.wait_for(state="visible", timeout=15_000)
    assert await screen.get_attribute("[data-live]", "data-view") == "pinned"
    assert await screen.get_attribute("[data-pinned-statement]", "data-pinned-statement") == statement
    assert not await screen.locator('[data-part="analysis"]').is_visible(), "the overview makes way"
    votes = int(await screen.locator('[data-pin-key="overall"] [data-pin="total"]').first.text_content())

    await database_sync_to_async(voter.post)("/c/nextstrategy/vote/", {"statement": statement, "choice": "1"})
    await screen.wait_for_function(
        f"n => {PINNED_TOTAL}.textContent.trim() === String(n)", arg=votes + 1, timeout=15_000
    )
    assert int(await screen.locator('[data-pin-key="overall"] [data-pin="agree_pct"]').first.text_content()) > 0

    await dashboard.locator('button[name="view"][value="join"]').click()
    await screen.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.view === 'join'", timeout=15_000
    )
    assert await screen.locator(".qr svg").is_visible()
    assert await pinned.count() == 0 and not await screen.locator('[data-part="analysis"]').is_visible()

    await dashboard.locator('button[name="view"][value="overview"]').click()
    await screen.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.view === 'overview'", timeout=15_000
    )
    assert await screen.locator('[data-part="analysis"]').is_visible()
    assert not await screen.locator('[data-section="pinned"]').is_visible()

    await dashboard.select_option("#pin-select", statement)
    await (
        dashboard.locator("form.screen-control", has=dashboard.locator("#pin-select"))
        .get_by_role("button", name="Pin on screen")
        .click()
    )
    await pinned.wait_for(state="visible", timeout=15_000)
    await dashboard.get_by_role("button", name="Unpin").click()
    await screen.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.view === 'overview'", timeout=15_000
    )
    assert await pinned.count() == 0, "unpinned: the block is gone"
    assert await screen.evaluate("window.loadedOnce === true"), "the screen never reloaded"
    assert not errors, errors
