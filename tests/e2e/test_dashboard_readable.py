"""Headless Chromium on the real ASGI server: a facilitator finds the live pages from the admin, and the
dashboard is readable: enough contrast (WCAG AA) for the text that matters, the right tab marked as the
current page, and no sideways scrolling on a 360 px phone."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ideation.models import Consultation
from tests.e2e.conftest import log_in as conftest_log_in
from worker import jobs

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.asyncio(loop_scope="session")]

AA = 4.5  # WCAG 2 AA, normal text

# The contrast ratio of each matched element's text against its effective background: the element's
# own background and its ancestors', composited over white until an opaque one is found.
CONTRAST = """selector => {
  const parse = value => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error('unexpected colour ' + value);
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = element => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) { layers.push(colour); if (colour[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  return [...document.querySelectorAll(selector)].map(element => {
    const bg = background(element);
    const fg = over(parse(getComputedStyle(element).color), bg);
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return {
      text: element.textContent.trim().slice(0, 50),
      ratio: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100,
      color: getComputedStyle(element).color,
      background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')',
    };
  });
}"""

# What sticks out past the right edge of the viewport (the failure message).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""

# The text that matters on the dashboard, by what it is.
READ = {
    "representative statements": ".group li.agree, .group li.disagree",
    "representative statements' links": ".group li a",
    "representative statements' tags": ".group li .tag",
    "representative statements' counts": ".group li .n",
    "counters": ".counters li",
    "counters' numbers": ".counters .n",
    "tabs": "nav.steps a",
    "the current tab": "nav.steps a[aria-current=page]",
    "lists' text": ".lists li",
    "lists' links": ".lists li a",
    "lists' counts": ".lists li .n",
}

PHONE_PAGES = (
    "/facilitate/nextstrategy/",
    "/moderate/nextstrategy/",
    "/moderate/nextstrategy/?state=all",
    "/moderate/nextstrategy/log/",
    "/facilitate/nextstrategy/themes/",
    "/facilitate/nextstrategy/exports/",
    "/facilitate/",
)


@pytest.fixture
def grouped(demo_data):
    """The demo consultation with 60 simulated people in camps and a stored analysis: groups to show."""
    call_command("seed_demo", "--simulated", "60", verbosity=0)
    jobs.run_analysis(Consultation.objects.get(slug="nextstrategy").pk)


async def log_in(browser, base: str, **options):
    """A new browser context (``options``: its viewport...) with the facilitator logged in, on the admin."""
    context = await browser.new_context(locale="en-GB", **options)
    page = await context.new_page()
    await conftest_log_in(page, base, "/admin/")
    return page


async def test_from_the_admin_to_a_dashboard_readable_on_any_screen(web_server, grouped, facilitator, browser):
    page = await log_in(browser, web_server)
    live = page.locator("[data-live-pages]")
    block = live.locator("[data-consultation=nextstrategy]")
    for name, path in [
        ("Dashboard", "/facilitate/nextstrategy/"),
        ("Moderation", "/moderate/nextstrategy/"),
        ("Event screen", "/c/nextstrategy/screen/"),
        ("Themes", "/facilitate/nextstrategy/themes/"),
        ("Report", "/facilitate/nextstrategy/report/"),
        ("Exports", "/facilitate/nextstrategy/exports/"),
    ]:
        assert await block.get_by_role("link", name=name, exact=True).get_attribute("href") == path
    await block.get_by_role("link", name="Dashboard", exact=True).click()
    await page.wait_for_url("**/facilitate/nextstrategy/")

    assert await page.locator(".group li.agree, .group li.disagree").count() >= 2, "no representative statements"
    current = page.locator("nav.steps a[aria-current=page]")
    assert await current.count() == 1
    assert await current.get_attribute("href") == "/facilitate/nextstrategy/"

    poor = {}
    for what, selector in READ.items():
        measured = await page.evaluate(CONTRAST, selector)
        assert measured, f"nothing matches {selector} ({what})"
        failing = [m for m in measured if m["ratio"] < AA]
        if failing:
            poor[what] = failing[:3]
    assert not poor, poor

    # The staff pages on a 360 px phone, left to right and right to left (one test: the analysis
    # behind the groups is slow to compute).
    page = await log_in(browser, web_server, viewport={"width": 360, "height": 740})
    for language in ("en", "ar"):
        await page.context.add_cookies([{"name": "django_language", "value": language, "url": web_server}])
        for path in PHONE_PAGES:
            await page.goto(web_server + path)
            assert await page.get_attribute("html", "lang") == language
            if path == "/facilitate/nextstrategy/":
                assert await page.locator(".group li").count() >= 2, "no groups on the page"
                map_width = await page.evaluate("document.querySelector('.map svg').getBoundingClientRect().width")
                assert 0 < map_width <= 360
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (f"{path} in {language} is {width} px wide", await page.evaluate(WIDEST))
