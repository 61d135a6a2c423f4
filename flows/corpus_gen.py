"""Synthetic and scaled article corpora for benchmarks, with no real article text.

``generate_corpus`` writes articles whose shape follows figures measured on the
published corpus (35,915 files, ee12c54): file sizes, frontmatter layout, answer
structure, cross-listings and related links. ``scale_corpus`` multiplies an existing
corpus with fresh ids; ``edit_files`` changes a share of files for incremental reruns.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import multiprocessing
import os
import random
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from flows.storage import discover_article_files

CORPUS_FOLDER = Path("content") / "learn"


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    weight: int
    alternate: str | None = None
    is_quantitative: bool = False
    has_code: bool = False

    @property
    def slug(self) -> str:
        return _slugify(self.name)


# Weights follow the published corpus's listings per subject folder, by rank; four
# subjects there are spelled two ways, which the pipeline's canonical names resolve.
SUBJECTS = (
    Subject("Education Studies", 444, alternate="Education studies"),
    Subject("Psychology", 377),
    Subject("Health Studies", 308, alternate="Health studies"),
    Subject("World History", 229),
    Subject("Sociology", 214),
    Subject("Mathematics", 203, is_quantitative=True),
    Subject("Computer Science", 193, "Computer science", is_quantitative=True, has_code=True),
    Subject("Medicine", 167),
    Subject("Physics", 160, is_quantitative=True),
    Subject("Chemistry", 126, is_quantitative=True),
    Subject("Business and Management", 121),
    Subject("Art History", 119),
    Subject("Civil Law", 115),
    Subject("Engineering", 114, is_quantitative=True, has_code=True),
    Subject("Nursing", 106),
    Subject("Biology", 101),
    Subject("Economics", 99, is_quantitative=True),
    Subject("Philosophy", 86),
    Subject("Biotechnology", 72),
    Subject("Digital Media", 60, alternate="Digital media"),
    Subject("American Studies", 46),
    Subject("Accounting and Finance", 34, is_quantitative=True),
    Subject("English Literature", 28),
    Subject("Others", 27),
    Subject("Linguistics", 8),
    Subject("Architecture", 6),
    Subject("Politics", 4),
    Subject("Environmental Science", 3),
    Subject("Anthropology", 3),
    Subject("Geography", 3),
    Subject("Astronomy", 3, is_quantitative=True),
    Subject("Gender Studies", 2),
    Subject("Statistics", 2, is_quantitative=True),
    Subject("Music Theory", 2),
    Subject("Film Studies", 2),
    Subject("Mythology", 2),
    Subject("Marine Biology", 1),
    Subject("Geology", 1),
    Subject("Sports Science", 1),
    Subject("Ecology", 1),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NOUNS = _words(
    """
    memory feedback energy structure policy network motivation evidence learning variation
    pressure identity resource model signal cycle equilibrium growth behavior culture
    regulation capacity system process theory framework method data risk design population
    development community function response stability attention perception trade language
    institution market inflation protein cell tissue reaction force circuit algorithm
    interest contract treatment diagnosis practice curriculum assessment narrative symbol
    tradition reform conflict alliance migration habitat species climate emission budget
    investment revenue strategy leadership motion wave molecule bond gene enzyme hormone
    nutrition exercise sleep stress emotion
    """
)
ADJECTIVES = _words(
    """
    cognitive social economic structural dynamic chemical historical clinical digital
    ethical environmental long-term early complex local global critical cultural political
    biological statistical emotional physical public personal formal informal modern
    classical regional sustainable genetic molecular urban rural
    """
)
VERBS = _words(
    """
    shapes influences supports reduces explains strengthens limits drives reflects
    determines affects improves requires links connects predicts changes balances
    organizes enables weakens
    """
)
CLAUSE_TAILS = (
    "in many settings",
    "over time",
    "across different contexts",
    "in everyday practice",
    "under changing conditions",
    "for most learners",
    "within a single system",
    "in the long run",
    "when resources are limited",
    "in both theory and practice",
)
OPENERS = (
    "For example, ",
    "In practice, ",
    "As a result, ",
    "Research suggests that ",
    "In many cases, ",
    "Moreover, ",
    "At the same time, ",
    "This means that ",
    "Historically, ",
    "Importantly, ",
)
TITLE_TEMPLATES = (
    "How does {a} influence {b} in {field}?",
    "What is the role of {a} in {b} within {field}?",
    "What are the main differences between {a} and {b}?",
    "Why is {a} considered important for understanding {b}?",
    "How can {a} be used to improve {b}?",
    "What factors contribute to {a} in {field}?",
    "How do {a} and {b} interact in {field}?",
    "What are the key stages of {a} and how do they shape {b}?",
    "Explain the relationship between {a} and {b}.",
    "Describe how {a} affects {b} in {field}.",
)
SUMMARY_OPENERS = ("In summary, ", "In conclusion, ", "Overall, ")
LATEX_FORMULAS = (
    r"E = mc^2",
    r"\frac{\Delta x}{\Delta t}",
    r"\sum_{i=1}^{n} x_i",
    r"\Delta G = \Delta H - T \Delta S",
    r"x \neq y",
    r"\alpha + \beta \leq 1",
    r"\sqrt{a^2 + b^2}",
    r"P(A \mid B) = \frac{P(B \mid A) P(A)}{P(B)}",
    r"F = m \cdot a",
)
CODE_LANGUAGES = ("python", "", "bash", "cpp", "java", "sql")


def _shares(first: int, counts: str) -> dict[int, int]:
    """Counts of the values ``first``, ``first + 1``, ... as measured, for weighted draws."""
    return dict(enumerate(map(int, counts.split()), start=first))


# Answer shape, per article, as measured on the published corpus: points per
# pointed answer, section counts when sectioned, keywords and related links per
# listing, and listings per article (cross-listings).
POINT_WEIGHTS = _shares(
    1, "10 1102 2008 3227 6980 6770 4313 2823 780 1103 200 133 50 37 23 11 10 5 3 7"
)
SECTION_WEIGHTS = _shares(1, "3377 2202 134 25")
KEYWORD_WEIGHTS = _shares(7, "163 605 1622 11908 3638 3984 3711 3222 3162 1812 874 496 300 189")
RELATED_WEIGHTS = _shares(0, "1832 1937 2670 3424 5351 12836")
LISTING_WEIGHTS = _shares(1, "31039 2330 72")
ZERO_POINT_SHARE = 0.176
SECTIONED_SHARE = 0.194
SUBJECT_RUN_CHANGE = 0.30
MISSING_RELATED_SHARE = 0.03
RELATED_WINDOW = 20
SAME_SUBJECT_PULL = 15.0
LATE_LISTING_SHARE = 0.48
NO_INDEX_SHARE = 0.002
# Articles are dated in id order; these are the cumulative shares by month start.
DATE_BREAKS = (
    (0.0, dt.date(2024, 11, 21)),
    (0.24, dt.date(2024, 12, 1)),
    (0.545, dt.date(2025, 1, 1)),
    (0.809, dt.date(2025, 2, 1)),
    (1.0, dt.date(2025, 2, 28)),
)
LATE_FROM = dt.date(2025, 1, 1)
FIRST_ID = 1000


@dataclass(frozen=True, slots=True)
class Listing:
    """One file of an article: cross-listed articles have one per subject folder."""

    subject: Subject
    spelling: str
    is_late: bool

    @property
    def folder(self) -> str:
        return self.subject.slug


@dataclass(frozen=True, slots=True)
class PlannedArticle:
    article_id: int
    published_date: dt.date
    title: str
    slug: str
    listings: tuple[Listing, ...]

    def url(self, listing: Listing) -> str:
        return f"/learn/{listing.folder}/questions/{self.slug}"


def _slugify(text: str) -> str:
    """The publisher's file-name slug: lowercase words joined by dashes, apostrophes dropped."""
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def generate_corpus(target: Path, articles: int, seed: int = 0) -> int:
    """Write ``articles`` synthetic articles under ``target/content/learn/<slug>/``.

    The same ``(articles, seed)`` always gives byte-identical files. Returns the
    number of files, which exceeds ``articles`` by the cross-listings.
    """
    _require_empty(target)
    plan = _plan_articles(articles, seed)
    ids = {article.article_id for article in plan}
    written = 0
    for position, article in enumerate(plan):
        answer = _compose_answer(random.Random(f"{seed}/{article.article_id}"), article)
        for listing in article.listings:
            rng = random.Random(f"{seed}/{article.article_id}/{listing.folder}")
            text = _render_listing(rng, plan, position, listing, answer, ids)
            path = target / CORPUS_FOLDER / listing.folder / f"{article.slug}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            written += 1
    return written


def _plan_articles(count: int, seed: int) -> list[PlannedArticle]:
    """Ids, dates, titles and listings of every article, in id order.

    Ids mostly follow each other with occasional gaps, so related links can point at
    missing ids; subjects come in runs, as the publisher wrote them in batches.
    """
    rng = random.Random(seed)
    taken_slugs: set[str] = set()
    plan: list[PlannedArticle] = []
    article_id = FIRST_ID
    subject = _draw_subject(rng)
    for position in range(count):
        if rng.random() < SUBJECT_RUN_CHANGE:
            subject = _draw_subject(rng)
        published = _date_at(position / max(count, 1))
        title, slug = _draw_title(rng, subject, taken_slugs)
        listings = _draw_listings(rng, subject, published)
        plan.append(PlannedArticle(article_id, published, title, slug, listings))
        article_id += _draw_id_gap(rng)
    return plan


def _compose_answer(rng: random.Random, article: PlannedArticle) -> str:
    """The decoded answer Markdown, shared by every listing of the article.

    The inline probabilities are tuned so that what the parser finds (sections, nested
    lists, code, LaTeX, sizes) matches the published corpus; the realism test checks it.
    """
    subject = article.listings[0].subject
    if rng.random() < ZERO_POINT_SHARE:
        return _unlisted_answer(rng)
    latex = rng.random() < (0.55 if subject.is_quantitative else 0.03)
    code = rng.random() < (0.18 if subject.has_code else 0.002)
    points = _weighted(rng, POINT_WEIGHTS)
    blocks = [_paragraph(rng, 2, 3) + " " + _lead_sentence(rng)]
    sectioned = rng.random() < SECTIONED_SHARE
    if sectioned:
        sections = min(_weighted(rng, SECTION_WEIGHTS), points)
        blocks += _sectioned_lists(rng, points, sections, latex, code)
    else:
        blocks.append(_numbered_list(rng, points, latex, code))
    if rng.random() < 0.06:
        blocks += [f"### {_title_case(_noun_phrase(rng))}", _bullets(rng, "", rng.randint(3, 5))]
    if code and rng.random() < 0.5:
        blocks += ["### Example", _code_fence(rng, "")]
    if sectioned and rng.random() < 0.4:
        blocks.append("### Conclusion")
    blocks.append(_conclusion(rng))
    return "\n\n".join(blocks)


def _render_listing(
    rng: random.Random,
    plan: Sequence[PlannedArticle],
    position: int,
    listing: Listing,
    answer: str,
    ids: set[int],
) -> str:
    """One article file, laid out key by key as the publisher writes them."""
    article = plan[position]
    lines = [
        "---",
        "_schema: default",
        f"id: {article.article_id}",
        f"date: {article.published_date.isoformat()}",
        *_title_lines("title", article.title, listing.is_late),
        *_title_lines("article_title", article.title, listing.is_late),
        "date_format: MMM DD, YYYY",
        "post_on_text: Posted on",
        "seo:",
        f"  title: QuickTakes | {listing.spelling}",
        "  page_description: >-",
        f"    {_paragraph(rng, 2, 3)}",
        "  page_keywords: >-",
        f"    {', '.join(_keywords(rng))}",
        "author: QuickTakes",
        "question: >-",
        f"    {article.title}",
    ]
    if rng.random() < NO_INDEX_SHARE:
        lines.append("no_index: true")
    lines += [
        "answer: >-",
        "    " + answer.replace("\n", "\\n"),
        f"subject: {listing.spelling}",
        f"file_name: {article.slug}.md",
        f"url: {article.url(listing)}",
    ]
    if not listing.is_late:
        lines.append("score: -1.0")
        lines += _related_lines(rng, plan, position, listing.subject, ids)
    return "\n".join([*lines, "---", "", "&nbsp;"])


def _require_empty(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty: a corpus is written into a fresh folder")


def _draw_subject(rng: random.Random, exclude: Sequence[Subject] = ()) -> Subject:
    choices = [subject for subject in SUBJECTS if subject not in exclude]
    return rng.choices(choices, weights=[subject.weight for subject in choices])[0]


def _draw_id_gap(rng: random.Random) -> int:
    """Most ids follow each other; the rest skip ids the publisher deleted or never used.

    The Pareto tail is fitted to the published gaps: median 1, 90th percentile 13, 99th 67.
    """
    if rng.random() < 0.58:
        return 1
    return min(1000, 1 + int(2.64 * rng.paretovariate(1.15)))


def _date_at(fraction: float) -> dt.date:
    """The publication date of the article this far through the corpus, as in DATE_BREAKS."""
    for (start, first), (end, last) in itertools.pairwise(DATE_BREAKS):
        if fraction <= end:
            share = (fraction - start) / (end - start)
            return first + dt.timedelta(days=int(share * (last - first).days))
    return DATE_BREAKS[-1][1]


def _draw_title(rng: random.Random, subject: Subject, taken: set[str]) -> tuple[str, str]:
    """A question title whose slug no other article has, since the slug names the file."""
    while True:
        template = rng.choice(TITLE_TEMPLATES)
        title = template.format(
            a=_noun_phrase(rng), b=_noun_phrase(rng), field=subject.name.lower()
        )
        slug = _slugify(title)
        if slug not in taken:
            taken.add(slug)
            return title, slug


def _draw_listings(rng: random.Random, subject: Subject, published: dt.date) -> tuple[Listing, ...]:
    """The article's home folder and, for a few, other folders listing the same article."""
    subjects = [subject]
    for _ in range(_weighted(rng, LISTING_WEIGHTS) - 1):
        subjects.append(_draw_subject(rng, exclude=subjects))
    may_be_late = published >= LATE_FROM
    return tuple(
        Listing(
            subject=s,
            spelling=s.alternate if s.alternate and rng.random() < 0.3 else s.name,
            is_late=may_be_late and rng.random() < LATE_LISTING_SHARE,
        )
        for s in subjects
    )


def _weighted(rng: random.Random, weights: dict[int, int]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _noun_phrase(rng: random.Random) -> str:
    noun = rng.choice(NOUNS)
    if rng.random() < 0.6:
        noun = f"{rng.choice(ADJECTIVES)} {noun}"
    if rng.random() < 0.25:
        noun = f"{noun} of {rng.choice(NOUNS)}"
    return noun


def _title_case(text: str) -> str:
    return " ".join(word if word == "of" else word.capitalize() for word in text.split())


def _sentence(rng: random.Random) -> str:
    opener = rng.choice(OPENERS) if rng.random() < 0.35 else ""
    subject = _noun_phrase(rng)
    body = f"{subject if opener else subject.capitalize()} {rng.choice(VERBS)} {_noun_phrase(rng)}"
    if rng.random() < 0.5:
        body += f", which {rng.choice(VERBS)} {_noun_phrase(rng)}"
    if rng.random() < 0.15:
        body += f" \u2014 especially {_noun_phrase(rng)}"
    return f"{opener}{body} {rng.choice(CLAUSE_TAILS)}."


def _paragraph(rng: random.Random, least: int, most: int) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(least, most)))


def _lead_sentence(rng: random.Random) -> str:
    return rng.choice(
        (
            "Here are some key points:",
            "Here\u2019s how it works:",
            "The main aspects are as follows:",
            "Several factors are involved:",
        )
    )


def _conclusion(rng: random.Random) -> str:
    opener = rng.choices((*SUMMARY_OPENERS, ""), weights=(70, 9, 5, 16))[0]
    first = _sentence(rng)
    if opener:
        first = opener + first[0].lower() + first[1:]
    return " ".join([first, *(_sentence(rng) for _ in range(rng.randint(1, 3)))])


def _sectioned_lists(
    rng: random.Random, points: int, sections: int, latex: bool, code: bool
) -> list[str]:
    """Numbered lists under ``###`` headings; each list numbers its points from 1."""
    cuts = sorted(rng.sample(range(1, points), sections - 1)) if sections > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, points], strict=True)]
    blocks = []
    for size in sizes:
        heading = _title_case(_noun_phrase(rng))
        blocks.append(f"### {heading}{':' if rng.random() < 0.2 else ''}")
        blocks.append(_numbered_list(rng, size, latex, code))
    return blocks


def _numbered_list(rng: random.Random, points: int, latex: bool, code: bool) -> str:
    """Points ``N. **Lead-in**: body``, some with nested bullets, LaTeX or a code fence."""
    nested = rng.random() < 0.15
    tight = rng.random() < 0.06
    style = rng.choices(("colon", "inner", "dash", "none"), weights=(970, 10, 10, 10))[0]
    items = []
    for number in range(1, points + 1):
        marker = f"{number}. "
        indent = " " * len(marker)
        item = marker + _point_text(rng, style)
        if nested and rng.random() < 0.55:
            item = item.rstrip(".") + ":\n" + _bullets(rng, indent, rng.randint(2, 3))
        if latex and rng.random() < 0.3:
            item += _latex(rng, indent)
        if code and rng.random() < 0.1:
            item += "\n" + _code_fence(rng, indent)
        items.append(item)
    return ("\n" if tight else "\n\n").join(items)


def _point_text(rng: random.Random, style: str) -> str:
    lead = _title_case(_noun_phrase(rng))
    body = _paragraph(rng, 2, 4)
    if style == "colon":
        return f"**{lead}**: {body}"
    if style == "inner":
        return f"**{lead}:** {body}"
    if style == "dash":
        return f"**{lead}** \u2013 {body}"
    return body


def _bullets(rng: random.Random, indent: str, count: int) -> str:
    lines = []
    for _ in range(count):
        text = _paragraph(rng, 1, 2)
        if rng.random() < 0.6:
            text = f"**{_title_case(_noun_phrase(rng))}**: {text}"
        lines.append(f"{indent}- {text}")
        if rng.random() < 0.05:
            lines.append(f"{indent}  - {_sentence(rng)}")
    return "\n".join(lines)


def _latex(rng: random.Random, indent: str) -> str:
    formula = rng.choice(LATEX_FORMULAS)
    if rng.random() < 0.5:
        return f" This can be written as $ {formula} $."
    if rng.random() < 0.2:
        return f" In symbols, \\( {formula} \\)."
    return f" This relationship can be expressed as:\n{indent}$$\n{indent}{formula}\n{indent}$$"


def _code_fence(rng: random.Random, indent: str) -> str:
    """A short snippet; lines that look like list items stay inside the fence."""
    language = rng.choice(CODE_LANGUAGES)
    name = rng.choice(NOUNS).replace(" ", "_")
    body = [
        f"def update_{name}(items):",
        "    # 1. not a point: the fence hides it",
        "    total = 0",
        "    for item in items:",
        "        total += item",
        "    return total",
    ]
    return "\n".join(indent + line for line in [f"```{language}", *body, "```"])


def _unlisted_answer(rng: random.Random) -> str:
    """An answer without top-level numbered points: prose, headed sections or bullets."""
    kind = rng.choices(("prose", "headed", "bullets"), weights=(61, 33, 6))[0]
    if kind == "prose":
        return "\n\n".join(_paragraph(rng, 2, 5) for _ in range(rng.randint(3, 6)))
    blocks = [_paragraph(rng, 1, 3) + " " + _lead_sentence(rng)]
    if kind == "bullets":
        blocks.append(_bullets(rng, "", rng.randint(3, 7)))
    else:
        numbered = rng.random() < 0.45
        for number in range(1, rng.randint(3, 7) + 1):
            heading = _title_case(_noun_phrase(rng))
            blocks.append(f"### {number}. **{heading}**" if numbered else f"### {heading}")
            blocks.append(_paragraph(rng, 2, 3))
            if rng.random() < 0.5:
                blocks[-1] += "\n" + _bullets(rng, "", rng.randint(2, 4))
    blocks.append(_conclusion(rng))
    return "\n\n".join(blocks)


def _keywords(rng: random.Random) -> list[str]:
    return [_noun_phrase(rng) for _ in range(_weighted(rng, KEYWORD_WEIGHTS))]


def _title_lines(key: str, title: str, plain: bool) -> list[str]:
    """Later listings write titles as plain scalars; titles never hold ``: `` or `` #``."""
    return [f"{key}: {title}"] if plain else [f"{key}: >-", f"    {title}"]


def _related_lines(
    rng: random.Random,
    plan: Sequence[PlannedArticle],
    position: int,
    subject: Subject,
    ids: set[int],
) -> list[str]:
    """Up to five links to articles written near this one, mostly in the listing's subject,
    a few to ids that no longer exist.

    A weighted sample without replacement (Efraimidis-Spirakis keys): nearer articles
    (published links are a median of 4 articles apart) and ones of the same subject
    (two thirds of published links) are likelier.
    """
    wanted = _weighted(rng, RELATED_WEIGHTS)
    window = range(max(0, position - RELATED_WINDOW), min(len(plan), position + RELATED_WINDOW + 1))
    keys = {}
    for other in window:
        if other != position:
            same = any(item.subject == subject for item in plan[other].listings)
            weight = math.exp(-abs(other - position) / 5.5) * (SAME_SUBJECT_PULL if same else 1)
            keys[other] = rng.random() ** (1 / weight)
    chosen = sorted(keys, key=keys.__getitem__, reverse=True)[:wanted]
    lines = []
    for rank, other in enumerate(chosen, start=1):
        target = plan[other]
        listing = next((i for i in target.listings if i.subject == subject), target.listings[0])
        related_id = target.article_id
        if rng.random() < MISSING_RELATED_SHARE:
            related_id = _free_id(related_id, ids)
        lines += [
            f"related_article{rank}:",
            f"    id: {related_id}",
            "    title: >-",
            f"        {target.title}",
            f"    subject: {listing.spelling}",
            f"    url: {target.url(listing)}",
        ]
    return lines


def _free_id(near: int, ids: set[int]) -> int:
    """An id no article has: a republished article's old id, next to its new one."""
    candidate = near + 1
    while candidate in ids:
        candidate += 1
    return candidate


# An article's ``id:`` line, or the ``id:`` line inside a ``related_articleN:`` block.
# Anchored on the newline rather than ``^`` with MULTILINE: nine times faster.
_ID_LINE = re.compile(
    rb"\n(?:id|related_article[0-9]+:[ \t]*\r?\n(?:[ \t]+.*\n)*?[ \t]+id):[ \t]*['\"]?(-?[0-9]+)"
)
_BOM = b"\xef\xbb\xbf"


def scale_corpus(source: Path, target: Path, factor: int, workers: int | None = None) -> int:
    """Write ``factor`` copies of every article file under ``source`` into ``target``.

    Copy 0 keeps paths and bytes. Copy k lives under ``copy-k/`` with the same
    relative paths, so subject folders and the path order that picks an article's
    first listing are those of copy 0; its article ids and related-article ids get
    ``k * offset`` added, so copies never share ids and links stay inside their copy.
    The offset is the smallest power of ten above the source's id span. Returns the
    number of files written.
    """
    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    _require_empty(target)
    paths = discover_article_files(source)
    chunks = [paths[start : start + 500] for start in range(0, len(paths), 500)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks)))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        ranges = list(pool.map(partial(_id_range, source), chunks))
        offset = _id_offset([bound for pair in ranges for bound in pair if bound is not None])
        _make_folders(target, paths, factor)
        write = partial(_write_copies, source, target, factor=factor, offset=offset)
        return sum(pool.map(write, chunks))


def _make_folders(target: Path, paths: list[str], factor: int) -> None:
    """Create every copy's folders up front, so workers only write files."""
    one_per_folder = {path.rpartition("/")[0]: path for path in paths}.values()
    for copy in range(factor):
        for path in one_per_folder:
            (target / _copy_path(path, copy)).parent.mkdir(parents=True, exist_ok=True)


def _id_offset(ids: Sequence[int]) -> int:
    """The smallest power of ten larger than the span of ``ids``: shifted copies never meet."""
    span = max(ids) - min(ids) if ids else 0
    return int(10 ** len(str(span)))


def _id_range(source: Path, paths: list[str]) -> tuple[int | None, int | None]:
    """Smallest and largest article or related-article id in the files' frontmatter."""
    found: list[int] = []
    for path in paths:
        frontmatter = _split_frontmatter((source / path).read_bytes())[0]
        found += [int(match.group(1)) for match in _ID_LINE.finditer(frontmatter)]
    return (min(found), max(found)) if found else (None, None)


def _write_copies(source: Path, target: Path, paths: list[str], *, factor: int, offset: int) -> int:
    for path in paths:
        raw = (source / path).read_bytes()
        frontmatter, rest = _split_frontmatter(raw)
        for copy in range(factor):
            content = raw if copy == 0 else _shift_ids(frontmatter, copy * offset) + rest
            (target / _copy_path(path, copy)).write_bytes(content)
    return len(paths) * factor


def _shift_ids(frontmatter: bytes, shift: int) -> bytes:
    """Add ``shift`` to the article id and each related-article id of raw frontmatter."""

    def add(match: re.Match[bytes]) -> bytes:
        kept = match.group(0)[: match.start(1) - match.start(0)]
        return kept + str(int(match.group(1)) + shift).encode()

    return _ID_LINE.sub(add, frontmatter)


def _split_frontmatter(raw: bytes) -> tuple[bytes, bytes]:
    """Frontmatter and the rest, split where the parser splits: the first ``---`` line."""
    if not raw.removeprefix(_BOM).startswith(b"---"):
        return b"", raw
    position = raw.find(b"\n")
    while position >= 0:
        position = raw.find(b"\n---", position)
        if position < 0:
            break
        line_end = raw.find(b"\n", position + 4)
        if not raw[position + 4 : line_end if line_end >= 0 else None].strip(b" \t\r"):
            return raw[:position], raw[position:]
        position += 4
    return b"", raw


def _copy_path(path: str, copy: int) -> str:
    return path if copy == 0 else f"copy-{copy}/{path}"


_ANSWER_KEY = re.compile(r"^answer:[ \t]*[>|][-+0-9]*[ \t]*$")


def edit_files(root: Path, share: float, seed: int = 0) -> list[str]:
    """Append a sentence to the answer of a ``share`` of the article files under ``root``.

    The sentence joins the answer's last paragraph: the conclusion, or the last point
    when there is none. Files stay valid and keep their ids; content and size change,
    as after an editor's revision. Returns the edited paths, sorted.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    paths = discover_article_files(root)
    count = min(len(paths), max(1, round(share * len(paths)))) if share > 0 else 0
    rng = random.Random(seed)
    chosen = sorted(rng.sample(paths, count))
    for path in chosen:
        file = root / path
        sentence = f"Revised: {_sentence(rng)}"
        file.write_bytes(_append_to_answer(file.read_text("utf-8"), sentence).encode("utf-8"))
    return chosen


def _append_to_answer(text: str, sentence: str) -> str:
    """Add ``sentence`` to the last line of the frontmatter's block-scalar ``answer``."""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if _ANSWER_KEY.match(line)), None)
    if start is None:
        raise ValueError("no block-scalar 'answer:' line in the frontmatter")
    last = start
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.strip() and not line[:1].isspace():
            break
        if line.strip():
            last = number
    if last == start:
        raise ValueError("the 'answer:' block is empty")
    lines[last] = f"{lines[last].rstrip()} {sentence}"
    return "\n".join(lines)
