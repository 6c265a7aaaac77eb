"""Headless Chromium: the closing page shows "being updated" after the seventh vote, then the group by itself."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from ideation.models import Consultation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio(loop_scope="session")]


@database_sync_to_async
def simulate_people() -> None:
    """People in three opinion camps, so that a newcomer lands in a group big enough to be shown (5 or more)."""
    from django.core.management import call_command

    call_command("seed_demo", simulated=40, verbosity=0)


@database_sync_to_async
def analyse() -> None:
    from worker import jobs

    jobs.run_analysis(Consultation.objects.get(slug="nextstrategy").pk)


async def test_the_closing_page_updates_itself_when_the_analysis_lands(web_server, demo_data, browser):
    await simulate_people()
    await analyse()  # the demo's simulated people are placed; the newcomer is not yet
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"{web_server}/c/nextstrategy/")
    await page.get_by_label("I have read how my contributions are used").check()
    await page.get_by_role("button", name="Start").click()
    await page.goto(f"{web_server}/c/nextstrategy/vote/")
    for n in range(7):
        before = await page.locator("[data-statement]").text_content()
        await page.get_by_role("button", name=("Agree", "Disagree")[n % 2], exact=True).click()
        await page.wait_for_function(
            "text => document.querySelector('[data-statement]').textContent !== text", arg=before
        )
    await page.goto(f"{web_server}/c/nextstrategy/done/")
    standing = page.locator("[data-standing]")
    assert await standing.get_attribute("data-standing") == "updating"
    assert "being updated" in await standing.text_content()

    await page.evaluate("window.stillTheSamePage = true")
    await analyse()  # what the seventh vote started (no worker runs in this test: the test lands it)
    await page.wait_for_selector("[data-standing=ready]", timeout=20_000)
    assert "You are in opinion group" in await page.locator("[data-standing]").text_content()
    assert await page.evaluate("window.stillTheSamePage === true"), "updated in place, no reload"
    assert not errors, errors
    await context.close()
