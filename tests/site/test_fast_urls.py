"""docketapp.fast_urls.pk_url gives the very string ``reverse`` gives, for every row-key route a page links per
row, under the site's script prefix too (a site served below a path, e.g. /docket/)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from docketapp.fast_urls import pk_url

ROUTES = [
    "deadlines:deadline-detail",
    "deadlines:deadline-not-used",
    "deadlines:renewal-instruct",
    "patents:matter-detail",
]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("prefix", ["/", "/docket/"])
def test_pk_url_is_reverse(name, prefix):
    set_script_prefix(prefix)
    try:
        for pk in (1, 7, 42, 9081726354, 123456789012):
            assert pk_url(name, pk) == reverse(name, args=[pk])
        assert pk_url(name, 5).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_an_unsaved_row_has_no_url_as_with_reverse():
    with pytest.raises(NoReverseMatch):
        pk_url("deadlines:deadline-detail", None)


def test_the_template_tag_writes_the_same_link_as_the_url_tag():
    context = Context({"pk": 31})
    fast = Template("{% load docket_tags %}{% pk_url 'deadlines:renewal-instruct' pk %}").render(context)
    plain = Template("{% url 'deadlines:renewal-instruct' pk %}").render(context)
    assert fast == plain == reverse("deadlines:renewal-instruct", args=[31])
