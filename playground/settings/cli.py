"""Command-line flags derived from an experiment's declaration: the CLI and the page share one default per setting."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from playground.settings.declaration import CHOICE_WIDGETS, FLAG_WIDGETS, Experiment


def add_flags(parser: argparse.ArgumentParser, experiment: Experiment, names: Iterable[str]) -> None:
    """Add ``--<name with dashes>`` for each named setting, with its default and its label as help.

    Numbers take any value of their type (the CLI is not limited to the values a slider offers); word options
    (losses, optimizers, activations) are argparse choices; toggles become ``--flag / --no-flag``.
    """
    for name in names:
        setting = experiment[name]
        flag = "--" + name.replace("_", "-")
        if setting.widget in FLAG_WIDGETS:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=setting.default,
                                help=setting.label)  # fmt: skip
            continue
        words = setting.widget in CHOICE_WIDGETS and all(isinstance(o, str) for o in setting.options)
        choices = [o for o in setting.options if o not in setting.local] if words else None
        kind = None if isinstance(setting.default, str) else type(setting.default)  # argparse reads words as is
        parser.add_argument(flag, type=kind, default=setting.default, choices=choices, help=setting.label)
