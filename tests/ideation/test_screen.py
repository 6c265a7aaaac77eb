"""The event screen's content: each statement with its agree / disagree / pass split and n, as stored by
the analysis; a QR code that scales; the join addresses; numbers isolated for right-to-left languages.
(How it fits a projector is measured in a browser: tests/e2e/test_event_screen.py.)"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from ideation import selectors, services
from ideation.models import AnalysisSnapshot, Statement
from ideation.selectors.analysis_reader import Tally
from tests.ideation.test_live import populate
from worker import jobs


@pytest.mark.parametrize(
    ("counts", "percents"),
    [((1, 1, 1), (34, 33, 33)), ((2, 1, 0), (67, 33, 0)), ((0, 0, 0), (0, 0, 0)), ((87, 10, 3), (87, 10, 3))],
)
def test_tally_percentages_are_whole_and_add_up(counts, percents):
    tally = Tally(*counts)
    assert tally.percents == percents
    assert (tally.agree_percent, tally.disagree_percent, tally.pass_percent) == percents


def claims_on(page: str, section: str) -> list[dict]:
    block = re.search(rf'data-section="{section}".*?</section>', page, re.S).group(0)
    out = []
    for item in re.findall(r'<li class="claim">(.*?)</li>', block, re.S):
        out.append(
            {
                "text": html.unescape(re.search(r'<p class="text" dir="auto">(.*?)</p>', item, re.S).group(1)),
                "percents": tuple(int(p) for p in re.findall(r"<bdi>(\d+)%</bdi>", item)),
                "n": int(re.search(r'data-n="(\d+)"', item).group(1)),
            }
        )
    return out


@pytest.fixture
def analysed(consultation):
    people = populate(consultation)
    for person in people[:4]:  # some pass
        for statement in Statement.objects.filter(consultation=consultation):
            services.vote_cast(participant=person, statement_id=statement.pk, choice=0, channel="web")
    jobs.run_analysis(consultation.pk)
    return consultation


@pytest.mark.django_db
def test_each_statement_on_the_screen_has_its_split_and_n_from_the_analysis(analysed):
    page = Client().get(f"/c/{analysed.slug}/screen/?lang=en").content.decode()
    result = AnalysisSnapshot.objects.get(consultation=analysed).result
    stored = {s["id"]: s for s in result["statements"]}
    texts = {s.text: str(s.pk) for s in Statement.objects.filter(consultation=analysed)}
    shown = claims_on(page, "consensus") + claims_on(page, "contention")
    assert claims_on(page, "consensus") and claims_on(page, "contention"), "both lists have statements"
    assert 'data-section="join"' in page
    assert any(c["percents"][2] > 0 for c in shown), "the people who passed are counted"
    for claim in shown:
        s = stored[texts[claim["text"]]]
        total = s["agree"] + s["disagree"] + s["pass"]
        assert claim["n"] == s["votes"]
        assert sum(claim["percents"]) == 100
        for percent, count in zip(claim["percents"], (s["agree"], s["disagree"], s["pass"]), strict=True):
            assert abs(percent - 100 * count / total) < 1


@pytest.mark.django_db
def test_the_summary_alone_gives_the_same_split_and_an_older_snapshot_none(analysed):
    """The screen reads the snapshot's summary (not the whole result); a summary stored before the split was
    kept there gives no bar rather than an error."""
    full = selectors.analysis_read(consultation=analysed, audience=selectors.Audience.PUBLIC, full=True)
    summary = selectors.analysis_read(consultation=analysed, audience=selectors.Audience.PUBLIC)
    assert [c.tally for c in summary.contention] == [c.tally for c in full.contention]
    assert all(c.tally is not None for c in summary.contention + summary.group_informed)
    snapshot = AnalysisSnapshot.objects.get(consultation=analysed)
    snapshot.summary["evidence"] = {k: v[:2] for k, v in snapshot.summary["evidence"].items()}
    snapshot.save()
    older = selectors.analysis_read(consultation=analysed, audience=selectors.Audience.PUBLIC)
    assert older.contention and all(c.tally is None for c in older.contention)
    response = Client().get(f"/c/{analysed.slug}/screen/")
    assert response.status_code == 200
    claims = claims_on(response.content.decode(), "contention")
    assert claims and all(c["percents"] == () for c in claims), "no bar, still the n"


@pytest.mark.django_db
def test_the_qr_code_scales_and_both_addresses_show(consultation, settings):
    settings.TELEGRAM_BOT_USERNAME = "ConsultBot"
    page = Client().get(f"/c/{consultation.slug}/screen/").content.decode()
    svg = re.search(r"<svg[^>]*>", page).group(0)
    assert 'viewBox="0 0 ' in svg and "width=" not in svg, "sized by the stylesheet, not in the corner of a box"
    join = re.search(r'data-section="join".*?</section>', page, re.S).group(0)
    assert f"testserver<wbr>/c/{consultation.slug}" in join
    assert f"t.me<wbr>/ConsultBot<wbr>?start={consultation.slug}" in join


@pytest.mark.django_db
def test_numbers_on_the_screen_are_isolated_in_arabic(analysed):
    page = Client().get(f"/c/{analysed.slug}/screen/?lang=ar").content.decode()
    assert 'dir="rtl"' in page
    counts = re.search(r'<ul class="counts".*?</ul>', page, re.S).group(0)
    assert re.findall(r'<bdi class="n" data-stat="(\w+)">\d+</bdi>', counts) == ["participants", "votes", "statements"]
    for claim in claims_on(page, "contention"):
        assert len(claim["percents"]) == 3, "each percentage in its own <bdi>"
