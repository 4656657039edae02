"""Component ids: named once in dashboard/ids.py with their page's prefix, and never repeated in
the layouts of the app shell and the pages (a repeated id breaks the callbacks of both)."""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator
from pathlib import Path

import dash
from dash.development.base_component import Component

from dashboard import PAGES, ids

GROUP_HEADER = re.compile(r'^# prefix "(?P<prefix>[a-z]+-)"')
MADE_BY_CALLBACKS = {ids.DATA_ERROR, ids.DATA_OK, ids.DATA_MAP_FIELD, ids.TIERS_LIST_ALL}
"""Ids of components that callbacks create (the upload's report and mapping step, the Tiers
page's "List all" buttons), so no layout holds them."""


def id_constants() -> list[tuple[str, str | dict, str | None]]:
    """(name, value, prefix of its group) of every constant in dashboard/ids.py, in order; the
    group is the nearest ``# prefix "…":`` comment above it (None before the first)."""
    source = Path(ids.__file__).read_text()
    headers = [
        (number, match["prefix"])
        for number, line in enumerate(source.splitlines(), 1)
        if (match := GROUP_HEADER.match(line))
    ]
    constants = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            name = node.targets[0].id
            prefix = next((p for line, p in reversed(headers) if line < node.lineno), None)
            constants.append((name, getattr(ids, name), prefix))
    return constants


def id_key(component_id: str | dict) -> Hashable:
    """A string id as it is; a pattern-matched id as its sorted items."""
    return tuple(sorted(component_id.items())) if isinstance(component_id, dict) else component_id


def component_ids(node, path: str = "") -> Iterator[tuple[Hashable, str]]:
    """(id, where) of every component in a layout, wherever it sits: in ``children`` or in
    any other property (a component as a label, in a list, in a dict)."""
    if isinstance(node, Component):
        here = f"{path} > {type(node).__name__}" if path else type(node).__name__
        if getattr(node, "id", None) is not None:
            yield id_key(node.id), here
        for prop in node._prop_names:
            if prop != "id":
                yield from component_ids(
                    getattr(node, prop, None), here if prop == "children" else f"{here}.{prop}"
                )
    elif isinstance(node, (list, tuple)):
        for position, item in enumerate(node):
            yield from component_ids(item, f"{path}[{position}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from component_ids(value, f"{path}[{key!r}]")


def layouts(dash_app) -> dict[str, Component]:
    """The app shell (sidebar, what-if panel, board-pack buttons, stores) and every page."""
    shell = dash_app.layout() if callable(dash_app.layout) else dash_app.layout
    pages = {name: importlib.import_module(f"dashboard.pages.{name}") for name in PAGES}
    return {"app shell": shell, **{f"{name} page": page.layout() for name, page in pages.items()}}


def test_every_id_constant_is_unique_and_starts_with_its_groups_prefix():
    constants = id_constants()
    prefixes = [prefix for _, _, prefix in constants]
    groups = list(dict.fromkeys(prefixes))
    assert None not in groups, "every constant sits under a '# prefix \"…-\": where' comment"
    assert len(groups) == len(set(groups)) >= len(PAGES) + 2  # one group per page, shell, what-if
    strings = {name: value for name, value, _ in constants if isinstance(value, str)}
    shared = {
        value: [n for n, v in strings.items() if v == value]
        for value, count in Counter(strings.values()).items()
        if count > 1
    }
    assert not shared, f"constants with the same value: {shared}"
    misplaced = [
        f"{name} = {value!r} is in the {prefix!r} group"
        for name, value, prefix in constants
        if isinstance(value, str) and not value.startswith(prefix)
    ]
    assert not misplaced, misplaced
    for name, value, _ in constants:  # a pattern-matched id's type is one of the names above
        assert isinstance(value, str) or value.get("type") in strings.values(), name


def test_no_id_repeats_in_the_app_shell_or_the_pages(dash_app, request_ctx):
    registered = {page["module"] for page in dash.page_registry.values()}
    assert registered == {f"dashboard.pages.{name}" for name in PAGES}  # every page is walked
    places = defaultdict(list)
    for screen, layout in layouts(dash_app).items():
        for key, where in component_ids(layout):
            places[key].append(f"{screen}: {where}")
    repeated = [
        f"id {key!r} appears {len(found)} times: " + "; ".join(found)
        for key, found in places.items()
        if len(found) > 1
    ]
    assert not repeated, "\n".join(repeated)

    # the walk reaches every component: each id named in ids.py is found (as an id, or as the
    # type of pattern-matched ids), except those that callbacks create
    found = {key for key in places if isinstance(key, str)}
    found |= {dict(key)["type"] for key in places if not isinstance(key, str)}
    named = {value for _, value, _ in id_constants() if isinstance(value, str)}
    assert named - MADE_BY_CALLBACKS <= found, sorted(named - MADE_BY_CALLBACKS - found)
