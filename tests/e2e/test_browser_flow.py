"""Headless Chromium: a participant completes the flow, then a facilitator approves their statement."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from ideation.models import Answer, Participant, Statement, Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "a-long-facilitator-password"


@pytest.fixture
def facilitator(transactional_db):
    from django.contrib.auth.hashers import make_password

    from tests.factories import UserFactory

    user = UserFactory(username="facilitator", is_staff=True, is_superuser=True)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")  # the server's own hasher
    user.save()
    return user


@database_sync_to_async
def stored_state():
    participant = Participant.objects.get()
    return {
        "answers": Answer.objects.filter(participant=participant).count(),
        "votes": Vote.objects.filter(participant=participant).exclude(statement__author=participant).count(),
        "group": participant.stakeholder_group.name if participant.stakeholder_group else None,
        "own": list(Statement.objects.filter(author=participant).values_list("text", "moderation")),
    }


async def test_participant_flow_then_facilitator_approves(web_server, demo_data, facilitator, browser):
    context = await browser.new_context(locale="en-GB", viewport={"width": 320, "height": 640})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    await page.goto(f"{web_server}/c/nextstrategy/")
    assert await page.get_attribute("html", "dir") == "ltr"
    await page.get_by_label("I have read how my contributions are used").check()
    await page.get_by_role("button", name="Start").click()

    await page.get_by_label("Which best describes you?").select_option(label="Partner organisation")
    await page.get_by_role("button", name="Save and continue").click()

    for number in range(1, 6):
        await page.wait_for_url(f"**/q/{number}/")
        await page.get_by_role("textbox").fill(f"My answer to question {number}, written in the browser.")
        await page.get_by_role("button", name="Save and continue").click()

    await page.wait_for_url("**/vote/")
    progress = page.locator("[data-progress]")
    first = await progress.text_content()
    assert first.startswith("1 of ")
    for choice in ("Agree", "Disagree", "Pass / unsure", "Agree"):
        before = await page.locator("[data-statement]").text_content()
        await page.get_by_role("button", name=choice, exact=True).click()
        await page.wait_for_function(
            "text => document.querySelector('[data-statement]').textContent !== text", arg=before
        )
    assert (await progress.text_content()).startswith("5 of "), "voting without reloading updates the progress"
    assert page.url.endswith("/vote/")

    await page.get_by_role("link", name="Add your own statement").click()
    await page.get_by_label("Your statement").fill("Amnesty should run a school programme in every country.")
    await page.get_by_role("button", name="Submit").click()
    await page.wait_for_url("**/vote/")
    assert "A moderator will review your statement" in await page.locator(".messages").text_content()

    await page.get_by_role("link", name="Finish").first.click()
    await page.wait_for_url("**/done/")
    assert "Thank you for taking part" in await page.locator("h1").text_content()
    assert not errors, errors

    state = await stored_state()
    assert state == {
        "answers": 5,
        "votes": 4,
        "group": "Partner organisation",
        "own": [("Amnesty should run a school programme in every country.", Statement.Moderation.PENDING)],
    }

    # The facilitator logs in and approves the pending statement.
    staff = await (await browser.new_context(locale="en-GB")).new_page()
    await staff.goto(f"{web_server}/moderate/nextstrategy/")
    await staff.fill("#id_username", "facilitator")
    await staff.fill("#id_password", PASSWORD)
    await staff.click("input[type=submit]")
    await staff.wait_for_url(f"{web_server}/moderate/nextstrategy/")
    row = staff.locator("tr", has_text="school programme in every country")
    await row.get_by_role("button", name="Approve").click()
    await staff.wait_for_load_state()
    assert "Statement updated" in await staff.locator(".messages").text_content()

    state = await stored_state()
    assert state["own"] == [("Amnesty should run a school programme in every country.", Statement.Moderation.ACCEPTED)]
    await context.close()


async def test_arabic_pages_are_right_to_left_and_work_without_javascript(web_server, demo_data, browser):
    context = await browser.new_context(locale="ar", java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{web_server}/c/nextstrategy/")
    assert await page.get_attribute("html", "lang") == "ar"
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.locator("#consent").check()
    await page.get_by_role("button", name="ابدأ").click()
    await page.get_by_role("button", name="تخطٍّ").click()
    await page.goto(f"{web_server}/c/nextstrategy/vote/")
    await page.get_by_role("button", name="أوافق", exact=True).click()
    await page.wait_for_url("**/vote/")
    assert (await page.locator("[data-progress]").text_content()).startswith("2 من")
    await context.close()
