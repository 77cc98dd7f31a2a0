"""Trainer insight per module: rates, histogram, choice shares, quit points, wrong turns, the graph, the rollup."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from insighthelpers import CARE, FOLDERS, eastgate, play
from webhelpers import login


@pytest.fixture
def scenario_folders() -> list[str]:
    return FOLDERS


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    return {**app_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def team(app, client):  # type: ignore[no-untyped-def]
    return eastgate(app, client)


def _insight(app, now: datetime | None = None):  # type: ignore[no-untyped-def]
    from cxtrain.web.database import db
    from cxtrain.web.insight_module import module_insight

    catalog = app.extensions["cxtrain.catalog"]
    with app.test_request_context():
        return module_insight(db(), catalog, catalog.get(db(), CARE), now)


def _shares(insight, node_id: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {c.id: c.count for c in insight.node(node_id).choices}


def test_rates_and_histogram(app, team):
    insight = _insight(app)
    # carol: pass, unfinished, lost (.47); frank pass; gina lost (.60)
    assert (insight.started, insight.finished, insight.passed) == (5, 4, 2)
    assert insight.completion_rate == pytest.approx(0.8) and insight.pass_rate == pytest.approx(0.5)
    assert insight.histogram == (0, 0, 0, 0, 1, 0, 1, 0, 0, 2)


def test_choice_shares_quits_and_wrong_turns(app, team):
    insight = _insight(app)
    assert _shares(insight, "phone") == {"answer": 4, "hold": 2}
    assert _shares(insight, "issue") == {"fix": 2, "transfer": 2}
    phone = insight.node("phone")
    assert [round(c.share, 3) for c in phone.choices] == [round(4 / 6, 3), round(2 / 6, 3)]
    assert phone.quit == 1 and insight.node("issue").quit == 0  # carol's second attempt stopped at the phone
    assert phone.arrived == 7  # five starts and two loops back
    assert phone.wrong_turn is not None and phone.wrong_turn.id == "hold"
    assert insight.node("issue").wrong_turn.id == "transfer"
    assert {c.id for c in phone.choices if c.wrong} == {"hold"}
    assert insight.node("solved").arrived == 2 and insight.node("lost").arrived == 2


def test_rollup_matches_live_counts_and_keeps_counting(app, client, team):
    from cxtrain.store import insight as queries
    from cxtrain.web.database import db

    live = _insight(app)
    with app.test_request_context():
        folded = queries.refresh_edges(db(), settle=timedelta(0))
        assert folded == 20  # every event so far: ten on each module
        assert queries.refresh_edges(db(), settle=timedelta(0)) == 0
        queries.refresh_scores(db(), settle=timedelta(0))
    folded_insight = _insight(app)
    assert folded_insight.nodes == live.nodes  # rollup + empty tail == live count
    assert (folded_insight.started, folded_insight.finished, folded_insight.passed) == (5, 4, 2)
    assert folded_insight.histogram == live.histogram
    play(client, "frank@example.org", CARE, ["hold"], {})  # newer than the watermark: counted live
    after = _insight(app)
    assert _shares(after, "phone") == {"answer": 4, "hold": 3} and after.node("phone").quit == 2
    assert (after.started, after.finished) == (6, 4)  # the new attempt is live, on top of the rollup
    play(client, "gina@example.org", CARE, ["answer", "fix"], {})
    assert (_insight(app).finished, _insight(app).passed) == (5, 3)
    with app.test_request_context():
        queries.rebuild_edges(db())
    rebuilt = _insight(app)
    assert _shares(rebuilt, "phone") == {"answer": 5, "hold": 3} and rebuilt.histogram[9] == 3


def test_versions_aggregate_by_module_id(app, client, team):
    """A trainer edits the module (a new version without 'hold'): counts of both versions add up,
    and the old version's choice that no longer exists is left out."""
    from insighthelpers import INSIGHT_FIXTURES

    from cxtrain.store import modules as stored
    from cxtrain.web.database import db

    text = (INSIGHT_FIXTURES / "insight-care.yaml").read_text()
    edited = re.sub(r"      - id: hold\n(?:        .*\n){4}", "", text)
    assert "id: hold" not in edited and "next: phone" not in edited
    from cxtrain.scenario import load_module

    module = load_module(edited, "insight-care.yaml")
    with app.test_request_context():
        stored.save_version(db(), module.id, module.version, edited, stored.UPLOAD, team["trainer"])
    play(client, "bob@example.org", CARE, ["answer", "fix"], {})
    insight = _insight(app)
    assert insight.module.version == module.version and insight.versions == 2
    assert _shares(insight, "phone") == {"answer": 5}
    assert (insight.started, insight.finished, insight.passed) == (6, 5, 3)
    assert insight.node("phone").quit == 1  # from the old version's flows


def test_page_graph_and_table(client, team):
    login(client, "trainer@example.org")
    listing = client.get("/trainer/insight").get_data(as_text=True)
    assert f'href="/trainer/insight/{CARE}"' in listing
    response = client.get(f"/trainer/insight/{CARE}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "style=" not in page and "<script>" not in page
    assert 'id="stat-started">5<' in page and 'id="stat-completion">80%<' in page and 'id="stat-pass">50%<' in page
    svg = re.search(r'<svg class="insight-graph".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and '<title id="graph-title">' in svg
    drawn = {
        (source, target): (int(count), float(width))
        for source, target, count, width in re.findall(
            r'data-from="([^"]+)" data-to="([^"]+)" data-count="(\d+)"><title>[^<]*</title>'
            r'<path d="[^"]+" stroke-width="([\d.]+)"',
            svg,
        )
    }
    assert {pair: count for pair, (count, _) in drawn.items()} == {
        ("phone", "issue"): 4,
        ("phone", "phone"): 2,
        ("issue", "solved"): 2,
        ("issue", "lost"): 2,
    }
    assert drawn["phone", "issue"][1] > drawn["phone", "phone"][1]  # width grows with traffic
    # The arrowheads keep their size however thick the stroke (a scaled head covers the labels).
    assert 'markerUnits="userSpaceOnUse"' in svg
    assert svg.count('class="node ending"') == 2 and svg.count('class="node start"') == 1
    assert re.search(r'<tr data-edge="phone/hold">.*?<td>2</td></tr>', page, re.S)  # the table fallback
    assert 'class="wrong-turn" data-choice="hold"' in page and 'data-quit="1"' in page
    bins = dict(re.findall(r'data-bin="(\d+)" data-count="(\d+)"', page))
    assert bins["9"] == "2" and bins["4"] == "1" and bins["0"] == "0"


def test_csv(app, client, team):
    login(client, "trainer@example.org")
    response = client.get(f"/trainer/insight/{CARE}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("node,choice,next,count")
    rows = [line.split(",") for line in lines[1:]]
    phone = [row for row in rows if row[0] == "phone"]
    assert ["hold", "phone", "2", "33", "yes"] in [row[1:6] for row in phone]
    # A situation's stopped attempts are on its first row alone: the column adds up.
    assert [row[6] for row in phone] == ["1"] + [""] * (len(phone) - 1)
    assert sum(int(row[6] or 0) for row in rows) == sum(n.quit for n in _insight(app).nodes if n.choices)


def test_unknown_module_is_404(client, team):
    login(client, "trainer@example.org")
    assert client.get("/trainer/insight/no-such-module").status_code == 404


def test_layout_layers(app, team):
    from cxtrain.web.graph_layout import layers

    place = layers(_insight(app))
    assert place["phone"] == (0, 0) and place["issue"][0] == 1 and {place["solved"][0], place["lost"][0]} == {2}


def test_choices_to_the_same_situation_share_one_arrow():
    from cxtrain.web.graph_traffic import Edge, arrows

    drawn = arrows(
        [
            Edge("desk", "listen", "Listen first", "follow-up", 5),
            Edge("desk", "rush", "Hurry them", "follow-up", 2),
            Edge("desk", "leave", "Walk away", "lost", 1),
        ]
    )
    assert [(a.source, a.target, a.count, [e.choice for e in a.choices]) for a in drawn] == [
        ("desk", "follow-up", 7, ["listen", "rush"]),
        ("desk", "lost", 1, ["leave"]),
    ]
