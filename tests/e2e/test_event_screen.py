"""Headless Chromium on the event screen at projector sizes, in English and Arabic: one frame, no scrolling.

The consensus and contention lists (with their bars, percentages and n), the join block (a QR code that
fills its box, the short address, the Telegram link) and the counts fit the viewport; no text runs out
of its box; text is readable from the back of a room; the lists turn pages when more than fits."""

from __future__ import annotations

import os

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from ideation.models import Consultation, Statement
from tests.e2e.conftest import serve
from worker import jobs

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio(loop_scope="session")]

SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
BOT = "ConsultationDemoBot"
LONG_WORD = "https://example.org/" + "a-very-long-address-without-spaces-" * 3
# Screenshots for a human look: SCREEN_SHOTS=/some/dir
SHOTS = os.environ.get("SCREEN_SHOTS")

# Everything the test measures, in the page: one round trip per page.
MEASURE = """() => {
  const rect = el => el.getBoundingClientRect();
  const visible = el => { const r = rect(el); return r.width > 0 && r.height > 0; };
  const doc = document.documentElement;
  const out = {
    scroll: [doc.scrollWidth, doc.scrollHeight, innerWidth, innerHeight],
    sections: {}, overflow: [], outside: [], small: [], qr: null,
  };
  for (const section of document.querySelectorAll("[data-section]")) {
    const box = rect(section);
    out.sections[section.dataset.section] = {
      box: [box.left, box.top, box.right, box.bottom],
      claims: [...section.querySelectorAll("li.claim")].filter(visible).map(li => ({
        text: li.querySelector(".text").textContent.trim(),
        figures: li.querySelector(".figures").textContent.replace(/\\s+/g, " ").trim(),
        bar: li.querySelectorAll(".bar span").length,
        lines: Math.round(rect(li.querySelector(".text")).height
          / parseFloat(getComputedStyle(li.querySelector(".text")).lineHeight)),
      })),
      all: section.querySelectorAll("li.claim").length,
      pages: section.querySelector("[data-pages]") ? +section.querySelector("[data-pages]").dataset.pages : null,
    };
    for (const el of section.querySelectorAll("*")) {
      if (!visible(el)) continue;
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
        out.overflow.push([section.dataset.section, el.tagName, el.className, el.scrollWidth, el.clientWidth]);
      const r = rect(el);
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        out.outside.push([section.dataset.section, el.tagName, el.className, r.left, r.right, r.top, r.bottom]);
    }
  }
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !visible(el) || el.closest("svg")) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    out.small.push([el.tagName, el.className, size, node.textContent.trim().slice(0, 30)]);
  }
  const qr = document.querySelector("[data-section=join] .qr svg");
  if (qr) out.qr = { width: rect(qr).width, viewBox: qr.viewBox.baseVal ? qr.viewBox.baseVal.width : 0 };
  return out;
}"""


@pytest.fixture(scope="module")
def screen_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The web server with a Telegram bot configured, so that the screen shows the Telegram link too."""
    with serve(django_db_blocker, tmp_path_factory, TELEGRAM_BOT_USERNAME=BOT) as url:
        yield url


def seed() -> None:
    call_command("seed_demo", "--simulated", "60", verbosity=0)
    consultation = Consultation.objects.get(slug="nextstrategy")
    jobs.run_analysis(consultation.pk)
    # One statement on each list is as long as a statement may be, with a word longer than a line.
    from ideation import selectors

    analysis = selectors.analysis_read(consultation=consultation, audience=selectors.Audience.PUBLIC)
    assert analysis.group_informed and analysis.contention, "the demo must have consensus and contention to show"
    for claim in (analysis.group_informed[0], analysis.contention[0]):
        statement = Statement.objects.get(pk=claim.pk)
        statement.text = (f"{statement.text} {LONG_WORD} " + "and a long explanation of why " * 10)[:280]
        statement.translations = {
            **(statement.translations or {}),
            "ar": {"text": ("عبارة طويلة جداً تشرح لماذا يجب أن نفعل ذلك " * 10)[:240] + " " + LONG_WORD[:39]},
        }
        statement.save()


async def test_the_event_screen_fits_a_projector_in_english_arabic_and_french(screen_server, demo_data, browser):
    await database_sync_to_async(seed)()
    problems: list[str] = []
    for javascript in (True, False):
        for width, height in SIZES:
            for language in ("en", "ar", "fr"):  # French has the longest labels
                where = f"{width}x{height} {language}{'' if javascript else ' without JavaScript'}"
                context = await browser.new_context(
                    viewport={"width": width, "height": height}, java_script_enabled=javascript
                )
                page = await context.new_page()
                await page.goto(f"{screen_server}/c/nextstrategy/screen/?lang={language}")
                if javascript:
                    await page.wait_for_selector("[data-rotate][data-paged]")
                assert await page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
                m = await page.evaluate(MEASURE)
                if SHOTS:
                    await page.screenshot(path=f"{SHOTS}/{where.replace(' ', '-')}.png")
                problems += check(m, where, width, height, language, javascript)
                await context.close()
    assert not problems, "\n".join(problems)

    # A short frame holds fewer statements than the lists have: the screen turns pages by itself.
    page = await (await browser.new_context(viewport={"width": 1280, "height": 520})).new_page()
    await page.goto(f"{screen_server}/c/nextstrategy/screen/")
    await page.wait_for_selector("[data-rotate][data-paged]")
    first = "document.querySelector('[data-section=contention] li.claim:not([hidden]) .text').textContent"
    pages = int(await page.get_attribute("[data-section=contention] [data-rotate]", "data-pages"))
    assert pages >= 2, "a short frame shows the contention list in pages"
    before = await page.evaluate(first)
    await page.wait_for_function(f"before => {first} !== before", arg=before, timeout=15_000)
    await page.close()


def check(m: dict, where: str, width: int, height: int, language: str, javascript: bool) -> list[str]:
    problems = []
    doc_w, doc_h, view_w, view_h = m["scroll"]
    if doc_w > view_w or doc_h > view_h:
        problems.append(f"{where}: the page scrolls ({doc_w}x{doc_h} in {view_w}x{view_h})")
    for name in ("join", "consensus", "contention"):
        if name not in m["sections"]:
            problems.append(f"{where}: no data-section={name}")
            continue
        left, top, right, bottom = m["sections"][name]["box"]
        if left < 0 or top < 0 or right > view_w + 0.5 or bottom > view_h + 0.5:
            problems.append(f"{where}: {name} is not inside the viewport: {m['sections'][name]['box']}")
    for name in ("consensus", "contention"):
        section = m["sections"].get(name)
        if not section:
            continue
        if not section["claims"]:
            problems.append(f"{where}: {name} shows no statement")
        for claim in section["claims"]:
            figures = claim["figures"]
            if claim["bar"] != 3 or figures.count("%") != 3:
                problems.append(f"{where}: {name}: no bar or percentages: {figures!r}")
            if claim["lines"] > 2:
                problems.append(f"{where}: {name}: a statement takes {claim['lines']} lines")
        if javascript and section["all"] > len(section["claims"]) and (section["pages"] or 0) < 2:
            problems.append(f"{where}: {name}: {section['all']} statements, {len(section['claims'])} shown, no pages")
    problems += [f"{where}: wider than its box: {o}" for o in m["overflow"]]
    problems += [f"{where}: outside its section: {o}" for o in m["outside"]]
    if (width, height) == (1920, 1080):
        problems += [f"{where}: text under 24 px: {s}" for s in m["small"] if s[2] < 24]
    if not m["qr"] or m["qr"]["width"] < 200 or not m["qr"]["viewBox"]:
        problems.append(f"{where}: the QR code is too small or does not scale: {m['qr']}")
    return problems
