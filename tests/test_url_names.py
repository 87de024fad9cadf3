"""Every route name is used once: reverse() would otherwise pick one of two apps' pages."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and "<format>" not in str(pattern.pattern):
            # DRF's routers add a ".json"-style twin of each route under the same name.
            yield namespace + pattern.name


def test_route_names_are_unique():
    counts = Counter(names(get_resolver().url_patterns))
    assert [name for name, count in counts.items() if count > 1] == []
