"""An organisation whose every post and headed department has an approved 2026 card, ready
for a month to be opened (tests/organisation/world.py plus scorecards)."""

from datetime import date
from decimal import Decimal

from organisation.models import Department, Post
from scorecards import services as card_services
from scorecards.models import Level
from tests.scorecards.factories import indicator, valid_card

CODES = ("financial", "customer", "internal_process", "learning_growth")


def approve(by, version):
    card_services.submit_version(by=by, version=version)
    approver = by if version.scorecard.level != Level.COMPANY else None
    card_services.approve_version(by=approver or by, version=version)


def approved_cards(world, year=2026, rated_post=None, mode="360", weights=None):
    """A card per post with people and per headed department; each line's data comes from
    the department (the default), targets 100 a year (8.33 or 8.34 a month). With
    ``rated_post``, that post's learning-and-growth line is a competency (PCI) line rated
    by 180° / 360° raters (``mode``, ``weights``) on the seven-level scale."""
    hr = world.hr.user
    cards = {}
    for post in Post.objects.filter(holders__is_active=True).distinct():
        items = [indicator(f"P{post.pk}-{code[:3]}", code) for code in CODES]
        if post == rated_post:
            items[-1] = indicator(f"P{post.pk}-pci", "learning_growth", type="PCI", method="description", direction="qualitative")
        card, version = valid_card(hr, year=year, level=Level.POST, post=post, indicators=items)
        if post == rated_post:
            line = version.lines.get(indicator__type="PCI")
            card_services.save_line(by=hr, version=version, line=line, rating_mode=mode, rater_weights=weights or {}, target=None)
        approve(hr, version)
        cards[("post", post.pk)] = card
    for department in Department.objects.filter(head__isnull=False):
        items = [indicator(f"D{department.pk}-{code[:3]}", code) for code in CODES]
        card, version = valid_card(hr, year=year, level=Level.DEPARTMENT, department=department, indicators=items)
        approve(hr, version)
        cards[("department", department.pk)] = card
    return cards


def all_values(form, actual="8.33"):
    """A value for every line of the form (achievement about 100%)."""
    return {key: {"actual": Decimal(actual)} for key in form.snapshot["lines"]}


MARCH = date(2026, 3, 1)


def rated_cards(world, year=2026, mode="360", weights=None):
    """approved_cards with post A's learning-and-growth line rated by 180° / 360° raters."""
    return approved_cards(world, year, rated_post=world.post_a, mode=mode, weights=weights)
