"""Every route x method x actor (x target) answers as tests/access_matrix.py says."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import ACTORS, EXEMPT_NAMESPACES, MATRIX, TARGETS
from tests.conftest import MODEL_BACKEND


def route_names(patterns=None, namespace=""):
    """Every named route of the URLconf as 'namespace:name', and the unnamed ones."""
    names, unnamed = set(), []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in EXEMPT_NAMESPACES:
                continue
            sub_names, sub_unnamed = route_names(pattern.url_patterns, inner)
            names |= sub_names
            unnamed += sub_unnamed
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                names.add(f"{namespace}{pattern.name}")
            else:
                unnamed.append(str(pattern.pattern))
    return names, unnamed


def test_every_route_has_an_entry_in_the_access_matrix():
    names, unnamed = route_names()
    assert unnamed == [], "routes must be named to be in the access matrix"
    assert sorted(names - MATRIX.keys()) == [], "add these routes to tests/access_matrix.py"
    assert sorted(MATRIX.keys() - names) == [], "these matrix entries name no route"


def test_every_entry_gives_an_answer_for_every_actor():
    for name, entry in MATRIX.items():
        for method, table in entry.items():
            if method == "kind":
                continue
            assert set(table) == set(ACTORS), f"{name} {method}"
            for actor, expected in table.items():
                if isinstance(expected, dict):
                    assert set(expected) == set(TARGETS[entry["kind"]]), f"{name} {method} {actor}"


def _target_objects(world):
    return {
        "plan": {"any": world.plan},
        "objective": {"any": world.objective},
        "link": {"any": world.link},
        "measure": {"any": world.measure},
        "cell": {"any": world.cell},
        "perspective": {"any": world.perspective},
        "indicator": {"any": world.indicator},
        "round": {"any": world.round},
        **_scorecard_targets(world),
        "form": world.forms,
        "period": {"any": world.period},
        "evidence": {"any": world.evidence},
        "inspection": world.inspections,
        "rating": world.rating_requests,
        "appeal": {"any": world.appeal},
        "interview": {"any": world.interview},
        "improvement-plan": {"any": world.plan},
        "plan-item": {"any": world.plan_item},
        "employee": {"self": world.emp_a, "peer": world.emp_a2, "sub": world.emp_a1, "other": world.emp_b},
        "department": {"own": world.dept_a, "sub": world.dept_a1, "other": world.dept_b},
        "post": {"own": world.post_a, "sub": world.post_a1, "other": world.post_b},
        "team": {"own": world.team_a, "other": world.team_b},
    }


def _scorecard_targets(world):
    cards = {"company": world.company_card, "own": world.dept_card, "post": world.post_card, "other": world.other_card}
    versions = {name: card.versions.get(number=1) for name, card in cards.items()}
    return {
        "scorecard": cards,
        "version": versions,
        "line": {name: version.lines.order_by("pk").first() for name, version in versions.items()},
        "cascade": {"any": world.cascade_link},
        "profile": {"any": world.profile},
        "proposal": {"any": world.proposal},
    }


def _client_for(actor, world):
    if actor == "anon":
        return Client()
    if actor == "integrator":
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.token_secret}")
    # Each actor signed in once, in the module's transaction (_full_world); a request that
    # logs out or rotates the key is rolled back, and the cookie is reused as it was.
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def _sign_in_everyone(world) -> dict[str, str]:
    users = {
        "emp_a": world.emp_a.user, "head_a": world.head_a.user, "hr": world.hr.user, "gm": world.gm.user,
        "committee": world.committee.user, "admin": world.admin,
    }
    sessions = {}
    for actor, user in users.items():
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _send(client, method, url):
    if method in ("PUT", "PATCH"):
        return getattr(client, method.lower())(url, data={}, content_type="application/json")
    return getattr(client, method.lower())(url, data={})


@pytest.fixture(scope="module")
def _full_world(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end (building it takes
    longer than the requests); each test and each request run in savepoints inside it."""
    from django.test import override_settings

    from tests.world import build_full_world

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        world = build_full_world()
        world.sessions = _sign_in_everyone(world)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def full_world(db, _full_world):
    return _full_world


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_answers_each_actor_as_the_matrix_says(name, full_world):
    world = full_world
    entry = MATRIX[name]
    kind = entry["kind"]
    objects = _target_objects(world).get(kind, {None: None})
    wrong = []
    for method, table in entry.items():
        if method == "kind":
            continue
        for actor, expected in table.items():
            for target, obj in objects.items():
                want = expected[target] if isinstance(expected, dict) else expected
                url = reverse(name, kwargs={"pk": obj.pk}) if obj is not None else reverse(name)
                # Each request in its own savepoint: no request sees another's changes.
                with transaction.atomic():
                    response = _send(_client_for(actor, world), method, url)
                    transaction.set_rollback(True)
                if response.status_code != want:
                    wrong.append(f"{method} {url} as {actor} ({target}): {response.status_code}, expected {want}")
    assert wrong == []
