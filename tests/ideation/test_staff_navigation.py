"""The facilitators' way around: each staff page marks its own tab, and the live pages are one click
from the admin (its index and header) and from /facilitate/."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ideation.models import Consultation
from tests.factories import ConsultationFactory, UserFactory


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def current_tabs(html: str) -> list[str]:
    """The hrefs of the staff tabs marked as the current page."""
    nav = re.search(r'<nav class="steps"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/facilitate/{slug}/",
        "/moderate/{slug}/",
        "/moderate/{slug}/log/",
        "/facilitate/{slug}/themes/",
        "/facilitate/{slug}/exports/",
    ],
)
def test_each_staff_page_marks_its_own_tab(consultation, staff_client, path):
    path = path.format(slug=consultation.slug)
    response = staff_client.get(path)
    assert response.status_code == 200
    assert current_tabs(response.content.decode()) == [path]


@pytest.mark.django_db
def test_the_printable_report_marks_itself_in_its_toolbar(consultation, staff_client):
    path = f"/facilitate/{consultation.slug}/report/"
    html = staff_client.get(path).content.decode()
    toolbar = re.search(r'<nav class="toolbar"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', toolbar) == [path]


@pytest.mark.django_db
def test_a_statements_breakdown_marks_no_tab(consultation, staff_client):
    statement = consultation.statements.first()
    html = staff_client.get(f"/facilitate/{consultation.slug}/statements/{statement.pk}/").content.decode()
    assert current_tabs(html) == []


@pytest.mark.django_db
def test_live_pages_are_for_facilitators_only(consultation, other_user):
    assert Client().get("/facilitate/").status_code == 302  # to the login page
    assert "/admin/login/" in Client().get("/facilitate/")["Location"]
    client = Client()
    client.force_login(other_user)
    assert client.get("/facilitate/").status_code == 403


@pytest.mark.django_db
def test_live_pages_list_every_consultation_with_its_pages(consultation, staff_client):
    draft = ConsultationFactory(slug="draft-one", title="Draft one", status=Consultation.Status.DRAFT)
    html = staff_client.get("/facilitate/").content.decode()
    for c in (consultation, draft):
        for path in ("/facilitate/{}/", "/moderate/{}/", "/c/{}/screen/", "/facilitate/{}/themes/"):
            assert f'href="{path.format(c.slug)}"' in html
        assert f'href="/facilitate/{c.slug}/report/"' in html
        assert f'href="/facilitate/{c.slug}/exports/"' in html
    assert staff_client.post("/facilitate/").status_code == 405


@pytest.mark.django_db
def test_the_admin_index_and_header_lead_to_the_live_pages(consultation, staff_client):
    html = staff_client.get("/admin/").content.decode()
    block = re.search(r"<table data-live-pages>(.*?)</table>", html, re.S).group(1)
    row = re.search(rf'<tr data-consultation="{consultation.slug}">(.*?)</tr>', block, re.S).group(1)
    links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', row))
    slug = consultation.slug
    assert links["Dashboard"] == f"/facilitate/{slug}/"
    assert links["Moderation"] == f"/moderate/{slug}/"
    assert links["Event screen"] == f"/c/{slug}/screen/"
    assert links["Themes"] == f"/facilitate/{slug}/themes/"
    assert links["Report"] == f"/facilitate/{slug}/report/"
    assert links["Exports"] == f"/facilitate/{slug}/exports/"
    userlinks = re.search(r'<div id="user-tools">(.*?)</div>', html, re.S).group(1)
    assert 'href="/facilitate/"' in userlinks
    # The header link is on every admin page, not only the index.
    staff_client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    html = staff_client.get("/admin/ideation/consultation/").content.decode()
    assert 'href="/facilitate/"' in re.search(r'<div id="user-tools">(.*?)</div>', html, re.S).group(1)
    assert f'href="/facilitate/{slug}/"' in html  # the list's "dashboard" link
