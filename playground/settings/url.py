"""A page's settings ↔ URL query parameters: shareable links and lecture mode, with no streamlit here.

An ``Experiment`` (``playground.settings``) derives its ``Schema`` from its declaration. A ``Schema`` lists
the settings a link may carry: each URL parameter is a widget key without the page's prefix (``toy.seed`` ↔
``seed``), with the values it may take. ``encode`` writes only the settings that differ from the defaults
(short links that fit on a slide; the defaults fill the rest back in exactly);
``decode`` validates every value and returns plain messages for the ones it rejects, so a mistyped or
hostile link never reaches a widget or a config.

Three reserved parameters: ``lock=1`` locks every setting except the display-only ones (or
``lock=seed,loss`` just those), ``preset=NAME`` starts from a named preset's values, which explicit
parameters then override, and ``points=x_y_x_y…`` carries a small point set (an uploaded CSV's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LOCK, PRESET, POINTS = "lock", "preset", "points"
RESERVED = (LOCK, PRESET, POINTS, "embed", "embed_options")  # the last two belong to Streamlit itself
MAX_LEN = 64  # no legitimate value is longer; longer input is rejected before parsing
LISTED = 12  # a message lists up to this many options; longer lists are summarised


class UrlStateError(ValueError):
    """A link's value that cannot be used; the message is meant for the user."""


@dataclass(frozen=True)
class Choice:
    """One of a fixed list (strings, ints or floats, as a selectbox or select_slider offers them)."""

    options: tuple


@dataclass(frozen=True)
class IntRange:
    lo: int
    hi: int


@dataclass(frozen=True)
class Flag:
    """A toggle: ``1``/``0`` in the URL (``true``/``false`` are accepted too)."""


@dataclass(frozen=True)
class Text:
    """Free text that ``check`` accepts (it raises ValueError with a message for the user otherwise)."""

    check: Callable[[str], object]


Field = Choice | IntRange | Flag | Text


@dataclass(frozen=True)
class Schema:
    prefix: str  # widget-key namespace of the page, e.g. "toy."
    fields: dict[str, Field]  # URL parameter → allowed values
    display: frozenset[str] = field(default_factory=frozenset)  # view-only settings that lock=1 leaves free

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def lockable(self) -> tuple[str, ...]:
        """What ``lock=1`` locks: every setting except the display-only ones."""
        return tuple(n for n in self.fields if n not in self.display)


@dataclass
class Decoded:
    values: dict[str, object]  # widget key → value (only those the link set)
    locked: frozenset[str]  # widget keys to disable
    errors: list[str]  # one plain sentence per rejected parameter


# ---- single values --------------------------------------------------------------------------------------
def encode_value(spec: Field, value: object) -> str:
    if isinstance(spec, Flag):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(value, "g")  # 0.0003, 1e-05: short, and parsed back to the same float
    return str(value)


def decode_value(name: str, spec: Field, text: str) -> object:
    """The value ``text`` stands for, or ``UrlStateError`` saying why it cannot be used."""
    text = text.strip()
    if len(text) > MAX_LEN:
        raise UrlStateError(f"'{name}' is too long.")
    if isinstance(spec, Flag):
        lowered = text.lower()
        if lowered in ("1", "true", "on", "yes"):
            return True
        if lowered in ("0", "false", "off", "no"):
            return False
        raise UrlStateError(f"'{name}' must be 1 or 0, not {text!r}.")
    if isinstance(spec, Text):
        try:
            spec.check(text)
        except ValueError as exc:
            raise UrlStateError(f"'{name}': {exc}") from None
        return text
    if isinstance(spec, IntRange):
        try:
            number = int(text)
        except ValueError:
            raise UrlStateError(f"'{name}' must be a whole number, not {text!r}.") from None
        if not spec.lo <= number <= spec.hi:
            raise UrlStateError(f"'{name}' must be between {spec.lo} and {spec.hi}, not {number}.")
        return number
    for option in spec.options:  # exact spelling first ("full", "adam", "0.001")
        if encode_value(spec, option) == text:
            return option
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number):  # another spelling of a numeric option ("1e-3", "0.0010")
        for option in spec.options:
            numeric = isinstance(option, int | float) and not isinstance(option, bool)
            if numeric and math.isclose(float(option), number, rel_tol=1e-9):
                return option
    raise UrlStateError(f"'{name}' must be {allowed(spec)}; {text!r} is not.")


def allowed(spec: Choice) -> str:
    """The options in words, short even when there are thousands (a latent axis): a range, or the ends of the list."""
    options = spec.options
    if len(options) <= LISTED:
        return "one of " + ", ".join(encode_value(spec, o) for o in options)
    lo = options[0]
    if all(type(o) is int for o in options) and list(options) == list(range(lo, lo + len(options))):
        return f"a whole number between {lo} and {options[-1]}"
    ends = [encode_value(spec, o) for o in (*options[:3], options[-1])]
    return f"one of {', '.join(ends[:3])}, …, {ends[-1]} ({len(options)} options)"


def is_valid(spec: Field, value: object) -> bool:
    if isinstance(spec, Flag):
        return isinstance(value, bool)
    if isinstance(spec, Text):
        if not isinstance(value, str) or len(value) > MAX_LEN:
            return False
        try:
            spec.check(value)
        except ValueError:
            return False
        return True
    if isinstance(spec, IntRange):
        return isinstance(value, int) and not isinstance(value, bool) and spec.lo <= value <= spec.hi
    return value in spec.options


# ---- a small point set --------------------------------------------------------------------------------
MAX_POINTS = 200  # a link of at most ~5 kB (typically 2-3): every browser, chat and e-mail client keeps it whole
POINT_DECIMALS = 3
_NUMBER = re.compile(r"-?\d{1,7}(\.\d{1,3})?")  # what encode_points writes: no exponent, no nan, no inf
_MAX_POINTS_TEXT = MAX_POINTS * 2 * 13  # 2 numbers of at most 12 characters and a separator per point


def encode_points(points: Iterable[Sequence[float]]) -> str | None:
    """``x_y_x_y…`` at POINT_DECIMALS decimals ("_" needs no escaping in a URL, so the address bar shows the same
    text), or None when there are more than MAX_POINTS points or one does not fit (|value| ≥ 10⁷, not finite)."""
    numbers = []
    for point in points:
        if len(numbers) == 2 * MAX_POINTS:
            return None
        for value in point[:2]:
            text = f"{round(float(value), POINT_DECIMALS):.{POINT_DECIMALS}f}" if math.isfinite(value) else "nan"
            text = text.rstrip("0").rstrip(".")
            numbers.append("0" if text == "-0" else text)
    return "_".join(numbers) if all(_NUMBER.fullmatch(n) for n in numbers) else None


def decode_points(text: str) -> list[tuple[float, float]]:
    """The (x, y) pairs of a link's ``points`` value; ``UrlStateError`` for anything ``encode_points`` does not
    write (the link is untrusted: bounded length, plain decimals only, nothing evaluated)."""
    text = text.strip()
    if len(text) > _MAX_POINTS_TEXT:
        raise UrlStateError(f"'{POINTS}' is too long (at most {MAX_POINTS} points).")
    numbers = text.split("_")
    if len(numbers) % 2 or not all(_NUMBER.fullmatch(n) for n in numbers):
        raise UrlStateError(f"'{POINTS}' must be pairs of plain numbers, x_y_x_y (e.g. 1.5_-0.25).")
    if len(numbers) > 2 * MAX_POINTS:
        raise UrlStateError(f"'{POINTS}' holds {len(numbers) // 2} points; a link carries at most {MAX_POINTS}.")
    values = [float(n) for n in numbers]
    return list(zip(values[::2], values[1::2], strict=True))


# ---- whole pages ----------------------------------------------------------------------------------------
def encode(
    schema: Schema, values: Mapping[str, object], defaults: Mapping[str, object], locked=frozenset()
) -> dict[str, str]:
    """Query parameters for the settings in ``values`` (widget keys) that differ from ``defaults``.

    Values a link cannot carry (e.g. an uploaded file's dataset) are left out. ``locked`` (widget keys)
    becomes ``lock=1`` when it is everything ``lock=1`` means, else a comma list of names.
    """
    params: dict[str, str] = {}
    for name, spec in schema.fields.items():
        key = schema.key(name)
        if key in values and values[key] != defaults.get(key) and is_valid(spec, values[key]):
            params[name] = encode_value(spec, values[key])
    names = {k.removeprefix(schema.prefix) for k in locked} & set(schema.fields)
    if names:
        params[LOCK] = "1" if names == set(schema.lockable) else ",".join(n for n in schema.fields if n in names)
    return params


def decode(
    schema: Schema,
    params: Mapping[str, str | list[str]],
    presets: Mapping[str, Mapping[str, object] | str] | None = None,
) -> Decoded:
    """Settings, locks and error messages from query parameters (never raises on user input).

    ``presets`` maps a name to its widget values (keys as in session state), or to a sentence saying
    why this page cannot show it. Repeated parameters count by their last value.
    """
    last = {name: (value[-1] if isinstance(value, list) else value) for name, value in params.items() if value != []}
    values: dict[str, object] = {}
    errors: list[str] = []
    if PRESET in last:
        name = last[PRESET].strip()
        preset = (presets or {}).get(name)
        if preset is None:
            known = ", ".join(presets or {}) or "none on this page"
            errors.append(f"Unknown preset {name[:MAX_LEN]!r} (known: {known}).")
        elif isinstance(preset, str):
            errors.append(preset)
        else:
            values.update(preset)
    for name, text in last.items():
        if name in RESERVED:
            continue
        spec = schema.fields.get(name)
        if spec is None:
            errors.append(f"Unknown setting {name[:MAX_LEN]!r} in the link was ignored.")
            continue
        try:
            values[schema.key(name)] = decode_value(name, spec, text)
        except UrlStateError as exc:
            errors.append(f"{exc} It was ignored.")
    locked, lock_errors = _decode_lock(schema, last.get(LOCK, ""))
    return Decoded(values, locked, errors + lock_errors)


def _decode_lock(schema: Schema, text: str) -> tuple[frozenset[str], list[str]]:
    text = text.strip().lower()
    if text in ("", "0", "false", "no"):
        return frozenset(), []
    if text in ("1", "true", "yes", "all"):
        return frozenset(schema.key(n) for n in schema.lockable), []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in schema.fields]
    errors = [f"Cannot lock unknown setting(s) {', '.join(unknown)[:MAX_LEN]!r}."] if unknown else []
    return frozenset(schema.key(n) for n in names if n in schema.fields), errors
