"""One experiment's settings, declared once: everything else about a setting is derived from its line.

A ``Setting`` says what its widget offers (options, default, label, help) and when a change takes effect:
``live`` settings are handed to the running trainer, a ``control`` steers the run itself (its speed), a ``view``
option is each student's own display choice, and every other setting needs Reset (new networks). An
``Experiment`` collects them and derives the widget defaults, the URL schema, what ``lock=1`` locks (everything
but the view options), the live/reset split and the preset mapping; ``playground.settings.cli`` derives command
line flags from the same lines and ``webui.form`` the widgets.

Widget keys are ``"<experiment>.<setting>"`` (``toy.seed``), URL parameters the setting's name (``seed``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from playground.settings import url

CHOICE_WIDGETS = ("select", "radio", "select_slider")  # options: the values offered, in order
RANGE_WIDGETS = ("slider", "number")  # options: (lo, hi), whole numbers
FLAG_WIDGETS = ("toggle", "checkbox")
WIDGETS = (*CHOICE_WIDGETS, *RANGE_WIDGETS, *FLAG_WIDGETS, "text")


@dataclass(frozen=True)
class Setting:
    name: str  # widget key "<experiment>.<name>", URL parameter "<name>", CLI flag "--<name with dashes>"
    default: object
    label: str  # the widget's label, also what the lecturer's lock list shows
    help: str  # the widget's tooltip
    widget: str  # one of WIDGETS
    options: tuple = ()  # CHOICE_WIDGETS: the values; RANGE_WIDGETS: (lo, hi)
    labels: Mapping | Callable[[object], str] | None = None  # option → display label (a dict or a function)
    live: bool = False  # applies while training (handed to the trainer's reconfigure between chunks)
    control: bool = False  # steers the run (e.g. its speed): never needs Reset, never reaches the trainer
    view: bool = False  # a view option: each student's own, never locked by lock=1
    url: bool = True  # travels in the share link
    local: tuple = ()  # options a link cannot carry (an uploaded file): offered by the widget, not by the URL
    check: Callable[[str], object] | None = None  # text: raises ValueError with a message for the user
    group: str = ""  # sidebar section ("Data", "Training", "Networks", …)

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"{self.name}: widget {self.widget!r} is not one of {', '.join(WIDGETS)}")
        if self.live + self.control + self.view > 1:
            raise ValueError(f"{self.name}: a setting is live, a control or a view option, not several")
        if self.widget in RANGE_WIDGETS and not (len(self.options) == 2 and self.options[0] <= self.options[1]):
            raise ValueError(f"{self.name}: a {self.widget} needs options (lo, hi)")
        if self.widget in CHOICE_WIDGETS and not self.options:
            raise ValueError(f"{self.name}: a {self.widget} needs its options")
        if not url.is_valid(self.spec(with_local=True), self.default):
            raise ValueError(f"{self.name}: default {self.default!r} is not one of the values it offers")

    def spec(self, with_local: bool = False) -> url.Field:
        """The values this setting takes, as the URL codec checks them (without ``local`` options by default)."""
        if self.widget in CHOICE_WIDGETS:
            return url.Choice(tuple(o for o in self.options if with_local or o not in self.local))
        if self.widget in RANGE_WIDGETS:
            return url.IntRange(*self.options)
        if self.widget in FLAG_WIDGETS:
            return url.Flag()
        return url.Text(self.check or str)

    def format(self, value: object) -> str:
        """How the widget shows one of its options."""
        if isinstance(self.labels, Mapping):
            return str(self.labels.get(value, value))
        return self.labels(value) if self.labels is not None else str(value)


@dataclass(frozen=True)
class Experiment:
    """One experiment's settings; ``presets`` maps a preset name to its setting values (None: cannot be shown)."""

    name: str  # the widget-key namespace, e.g. "toy"
    settings: tuple[Setting, ...]
    presets: Mapping[str, Mapping[str, object] | None] = field(default_factory=dict)
    presets_elsewhere: str = ""  # where the presets this page cannot show open ("the Mode-collapse lab")

    def __post_init__(self) -> None:
        by_name = {s.name: s for s in self.settings}
        if len(by_name) != len(self.settings):
            raise ValueError(f"{self.name}: two settings share a name")
        object.__setattr__(self, "_by_name", by_name)

    def __getitem__(self, name: str) -> Setting:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def key(self, name: str) -> str:
        """The widget / session-state key of a setting."""
        return f"{self.name}.{name}"

    def group(self, group: str) -> tuple[Setting, ...]:
        return tuple(s for s in self.settings if s.group == group)

    def defaults(self) -> dict[str, object]:
        """Widget key → default."""
        return {self.key(s.name): s.default for s in self.settings}

    def schema(self) -> url.Schema:
        """What a share link may carry; lock=1 locks all of it but the view options."""
        shared = [s for s in self.settings if s.url]
        return url.Schema(
            prefix=f"{self.name}.",
            fields={s.name: s.spec() for s in shared},
            display=frozenset(s.name for s in shared if s.view),
        )

    @property
    def live_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.settings if s.live)

    @property
    def reset_names(self) -> tuple[str, ...]:
        """The settings a run is built from: changing one needs Reset."""
        return tuple(s.name for s in self.settings if not (s.live or s.control or s.view))

    @property
    def view_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.settings if s.view)

    def values(self, state: Mapping[str, object]) -> dict[str, object]:
        """Setting name → value, read from session state (widget keys); a missing key gives the default."""
        return {s.name: state.get(self.key(s.name), s.default) for s in self.settings}

    def run_settings(self, values: Mapping[str, object]) -> dict[str, object]:
        """What a run is built from and then updated with: the reset and live settings, no controls or views."""
        return {n: values[n] for n in (*self.reset_names, *self.live_names) if n in values}

    def needs_reset(self, built: Mapping[str, object], current: Mapping[str, object]) -> list[str]:
        """Names of the settings that differ between a run's and the current values and only Reset applies."""
        return [n for n in self.reset_names if n in built and n in current and built[n] != current[n]]

    def preset(self, values: Mapping[str, object]) -> dict[str, object]:
        """Setting values (by name) as widget values, each checked against what its widget offers (ValueError)."""
        unknown = [n for n in values if n not in self]
        if unknown:
            raise ValueError(f"{self.name} has no setting {', '.join(unknown)}")
        bad = [n for n, v in values.items() if not url.is_valid(self[n].spec(), v)]
        if bad:
            raise ValueError(", ".join(f"{n}={values[n]!r} is not offered" for n in bad))
        return {self.key(n): v for n, v in values.items()}

    def url_presets(self) -> dict[str, dict[str, object] | str]:
        """``?preset=NAME``: each preset's widget values, or a sentence saying why this page cannot show it."""
        where = f": open it in {self.presets_elsewhere}" if self.presets_elsewhere else ""
        presets: dict[str, dict[str, object] | str] = {}
        for name, values in self.presets.items():
            cannot = f"Preset {name!r} needs settings this page does not have{where}."
            try:
                presets[name] = cannot if values is None else self.preset(values)
            except ValueError:
                presets[name] = cannot
        return presets
