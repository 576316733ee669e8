"""What to try after a run blew up, worded from the settings it ran with (issue 29: no advice to switch to the
loss or optimizer the run already uses)."""

from __future__ import annotations

OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}


def _either(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c' — joined the way the sentence reads."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def divergence_advice(loss: str | None, optimizer: str, k: int, live: bool = True) -> str:
    """One sentence of fixes the run has not tried: a lower learning rate always; a stabler loss unless it runs
    WGAN-GP (the non-saturating loss only when it runs neither); Adam unless it runs Adam; a smaller k when k > 1.

    ``loss`` None: the page offers no choice of loss. ``live``: learning rate, loss and k apply while training, so
    only the optimizer needs Reset; otherwise (every setting needs Reset) the sentence ends with Reset.
    """
    tries = ["a lower learning rate (e.g. ÷3)"]
    if loss is not None and loss != "wgan-gp":
        tries.append("the WGAN-GP loss" if loss == "nonsat" else "the non-saturating or WGAN-GP loss")
    if optimizer != "adam":
        reset = " (needs Reset)" if live else ""  # otherwise the sentence ends with Reset anyway
        tries.append(f"Adam instead of {OPTIMIZER_NAMES.get(optimizer, optimizer)}{reset}")
    if k > 1:
        tries.append(f"fewer D steps per G step (k is {k})")
    return f"Try {_either(tries)}" + ("." if live else ", then press Reset.")
