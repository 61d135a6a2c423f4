"""The data model diagram of the data dictionary: an inline SVG drawn here, with no
library and no script, so it shows wherever the page opens.

Edges come from column names, by one rule: a relation that has a column named like an
entity's key (``article_id``), or ending in ``_`` and that key (``related_article_id``,
``opened_run_id``), joins that entity. The entities are the listed ones that exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flows.analyst_file import escape

ENTITIES = (
    ("main", "articles", "article_id", "#2563eb"),
    ("main", "article_listings", "source_path", "#059669"),
    ("main", "subjects", "subject_slug", "#9333ea"),
    ("etl", "runs", "run_id", "#d97706"),
)
"""Relations one row per key value (their comments say ``Key: ...``), each with the key the
others join on and the colour of its edges."""

_BOX_WIDTH = 210
_BOX_HEIGHT = 24
_ROW = 32
_GAP = 150
_MARGIN = 16
_TITLE = 24


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    column: str
    entity: str
    key: str
    colour: str


@dataclass(frozen=True, slots=True)
class _Box:
    x: int
    y: int


def find_edges(relations: Sequence[tuple[str, str, Sequence[str]]]) -> list[Edge]:
    """Every (relation, column) that joins an entity, by the naming rule above."""
    present = {f"{schema}.{name}" for schema, name, _ in relations}
    edges: list[Edge] = []
    for schema, name, key, colour in ENTITIES:
        entity = f"{schema}.{name}"
        if entity not in present:
            continue
        for other_schema, other_name, columns in relations:
            source = f"{other_schema}.{other_name}"
            if source == entity:
                continue
            edges.extend(
                Edge(source, column, entity, key, colour)
                for column in columns
                if column == key or column.endswith(f"_{key}")
            )
    return edges


def render_data_model(relations: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    """The SVG, with a legend: entities in the middle column, the main and reports relations
    that join them on the left, the etl ones on the right. Relations that join no entity are
    left out (they are listed in the contents all the same)."""
    edges = find_edges(relations)
    entities = [f"{s}.{n}" for s, n, _, _ in ENTITIES if any(e.entity == f"{s}.{n}" for e in edges)]
    joined = [f"{s}.{n}" for s, n, _ in relations if any(e.source == f"{s}.{n}" for e in edges)]
    left = [name for name in joined if name not in entities and not name.startswith("etl.")]
    right = [name for name in joined if name not in entities and name.startswith("etl.")]
    rows = max(len(left), len(right), len(entities), 1)
    height = 2 * _MARGIN + _TITLE + rows * _ROW
    width = 2 * _MARGIN + 3 * _BOX_WIDTH + 2 * _GAP
    boxes = _place(left, 0, rows) | _place(entities, 1, rows) | _place(right, 2, rows)
    parts = [
        f'<svg class="data-model" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Data model: relations and the keys they join on">',
        _render_legend(),
        *(_render_edge(edge, boxes) for edge in edges),
        *(_render_box(name, box, name in entities) for name, box in boxes.items()),
        "</svg>",
        '<p class="meta">An edge joins a relation to an entity (middle column) when it has a '
        "column named like the entity's key, or ending in <code>_</code> and the key "
        "(<code>related_article_id</code>, <code>opened_run_id</code>); hover an edge for its "
        "column. Relations with no such column are not drawn.</p>",
    ]
    return "\n".join(parts)


def _place(names: list[str], column: int, rows: int) -> dict[str, _Box]:
    """Boxes of one column, centred vertically against the tallest column."""
    top = _MARGIN + _TITLE + (rows - len(names)) * _ROW // 2
    x = _MARGIN + column * (_BOX_WIDTH + _GAP)
    return {name: _Box(x, top + i * _ROW) for i, name in enumerate(names)}


def _render_box(name: str, box: _Box, is_entity: bool) -> str:
    fill = "#eef2ff" if is_entity else "#ffffff"
    weight = "bold" if is_entity else "normal"
    return (
        f'<g class="node" data-relation="{escape(name)}"><a href="#{escape(name)}">'
        f'<rect x="{box.x}" y="{box.y}" width="{_BOX_WIDTH}" height="{_BOX_HEIGHT}" rx="4" '
        f'fill="{fill}" stroke="#64748b"/>'
        f'<text x="{box.x + 8}" y="{box.y + 16}" font-size="12" font-family="monospace" '
        f'font-weight="{weight}" fill="#1d2330">{escape(name)}</text></a></g>'
    )


def _render_edge(edge: Edge, boxes: dict[str, _Box]) -> str:
    source, target = boxes[edge.source], boxes[edge.entity]
    sy, ty = source.y + _BOX_HEIGHT // 2, target.y + _BOX_HEIGHT // 2
    if source.x < target.x:
        sx, tx = source.x + _BOX_WIDTH, target.x
    else:
        sx, tx = source.x, target.x + _BOX_WIDTH
    bend = (tx - sx) // 2
    return (
        f'<path class="edge" data-from="{escape(edge.source)}" data-to="{escape(edge.entity)}" '
        f'd="M{sx},{sy} C{sx + bend},{sy} {tx - bend},{ty} {tx},{ty}" fill="none" '
        f'stroke="{edge.colour}" stroke-width="1.3" opacity="0.7">'
        f"<title>{escape(edge.source)}.{escape(edge.column)} → "
        f"{escape(edge.entity)}.{escape(edge.key)}</title></path>"
    )


def _render_legend() -> str:
    items = []
    for i, (_, _, key, colour) in enumerate(ENTITIES):
        x = _MARGIN + i * 170
        items.append(
            f'<line x1="{x}" y1="{_MARGIN}" x2="{x + 24}" y2="{_MARGIN}" stroke="{colour}" '
            f'stroke-width="3"/><text x="{x + 30}" y="{_MARGIN + 4}" font-size="12" '
            f'font-family="monospace">{escape(key)}</text>'
        )
    return "".join(items)
