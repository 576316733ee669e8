"""The class board's layout: the room's aggregate, a grid of live tiles, a larger read-only view, sending to the room.

``live`` is the board's fragment (a few redraws a second): everything in it comes from ``ROOM.cards()`` and
``experiments.room.aggregate``. Pictures travel as small JPEG data URLs; the histogram is plain HTML bars.
"""

from __future__ import annotations

import html
import time

import streamlit as st

from playground.experiments.collapse.settings import COLLAPSE
from playground.experiments.room.aggregate import Aggregate, Histogram, aggregate
from playground.experiments.toy.settings import TOY
from playground.runtime.room import ROOM, Card
from webui.downloads import image_url

REFRESH = 0.5  # seconds between the board's redraws
COLUMNS = 5  # tiles per row
LARGE = 420  # pixels per side of the larger view's picture
OPEN = "board.open"  # (student, slot) of the tile shown large
STATUS_ICONS = {"training": "▶", "queued": "⏳", "idle": "⏸", "finished": "⚑", "diverged": "✖", "stopped": "■",
                "crashed": "✖"}  # fmt: skip
HIST_STYLE = """<style>
.room-hist { display: inline-block; margin: 0 2rem 0.5rem 0; font-size: 0.8rem; }
.room-hist .bars { display: flex; align-items: flex-end; gap: 3px; height: 90px; border-bottom: 1px solid #999; }
.room-hist .bar { width: 22px; background: #ff7f0e; text-align: center; }
.room-hist .bar.all { background: #1b9e3e; }
.room-hist .n { position: relative; top: -1.1rem; }
.room-hist .ks { display: flex; gap: 3px; } .room-hist .ks span { width: 22px; text-align: center; color: #666; }
</style>"""


# ---- sending -------------------------------------------------------------------------------------------
def preset_choices() -> dict[str, tuple[str, dict, str]]:
    """What the lecturer can send: label → (experiment, setting values, what the banner calls it)."""
    choices = {}
    for experiment, page in ((TOY, "Toy 2-D"), (COLLAPSE, "Mode-collapse lab")):
        for name, values in experiment.presets.items():
            if values is not None:
                choices[f"{page}: {name}"] = (experiment.name, dict(values), f"the preset {name}")
    return choices


def send_ui() -> None:
    """Pick a preset and send it to every student page (a tile's settings are sent from its larger view)."""
    choices = preset_choices()
    cols = st.columns([4, 1])
    chosen = cols[0].selectbox(
        "Send a preset to the room",
        list(choices),
        key="board.preset",
        help="Every student page of that experiment shows a banner with an Apply button.",
    )
    if cols[1].button("Send to the room", key="board.send_preset", type="primary", width="stretch"):
        ROOM.send(*choices[chosen])


def broadcast_ui() -> None:
    b = ROOM.broadcast
    if b is None:
        return
    sent = time.strftime("%H:%M:%S", time.localtime(b.sent_at))
    cols = st.columns([6, 1])
    cols[0].info(f"Sent {b.label} at {sent}: applied on {ROOM.applied_by(b.number)} of {ROOM.students()} "
                 "student pages.", icon=":material/campaign:")  # fmt: skip
    if cols[1].button("Withdraw", key="board.withdraw", help="Remove the banner from the students' pages."):
        ROOM.withdraw()
        st.rerun(scope="fragment")


# ---- the aggregate ---------------------------------------------------------------------------------------
def histogram_html(h: Histogram) -> str:
    """Bars of runs per number of modes captured (green: all of them); the counts in ``data-counts``."""
    top = max(max(h.counts), 1)
    bars = "".join(
        f'<div class="bar{" all" if k == h.total else ""}" style="height:{max(2, 80 * n // top)}px" '
        f'title="{n} runs captured {k} of {h.total} modes"><span class="n">{n or ""}</span></div>'
        for k, n in enumerate(h.counts)
    )
    ks = "".join(f"<span>{k}</span>" for k in range(h.total + 1))
    counts = ",".join(map(str, h.counts))
    return (f'<div class="room-hist" data-dataset="{html.escape(h.dataset)}" data-counts="{counts}">'
            f"<b>{html.escape(h.dataset)}</b>: runs by modes captured<div class='bars'>{bars}</div>"
            f"<div class='ks'>{ks}</div></div>")  # fmt: skip


def shared_text(shared: dict[str, object]) -> str:
    return ", ".join(f"`{name} = {value}`" for name, value in shared.items())


def aggregate_ui(agg: Aggregate, runs: int) -> None:
    if not agg.histograms:
        st.caption(f"{runs} runs on the board; none on a Gaussian mixture yet (modes are counted on ring8, grid25).")
        return
    st.html(HIST_STYLE + "".join(histogram_html(h) for h in agg.histograms))
    line = f"**{agg.collapsed} of {agg.counted}** runs lost modes; **{agg.good}** captured them all."
    if agg.good and agg.shared:
        line += " Every good run has " + shared_text(agg.shared) + (" (no collapsed run has all of that)."
                                                                    if agg.collapsed else ".")  # fmt: skip
    elif agg.good and agg.collapsed:
        line += " The good runs share no setting that the collapsed ones do not."
    st.markdown(line)


# ---- tiles -----------------------------------------------------------------------------------------------
def modes_text(card: Card) -> str:
    r = card.reading
    if r is None:
        return "measuring…"
    if r.modes_total is None:
        return "no modes (not a mixture)"
    return f"**{r.modes_captured}/{r.modes_total} modes** · {r.high_quality:.0%} HQ"


def changed_text(card: Card) -> str:
    changed = {n: v for n, v in card.about.changed.items() if n != "dataset"}
    return " · ".join(f"{n}={v}" for n, v in changed.items()) or "defaults"


def tile(card: Card) -> None:
    with st.container(border=True, key=f"board-tile-{card.student}-{card.slot.replace(' ', '-')}"):
        if card.reading is not None:
            st.image(image_url(card.reading.picture, "image/jpeg"), width="stretch")
        label = card.about.preset or card.about.dataset
        st.markdown(
            f"**{card.name}** · {label}  \n{STATUS_ICONS.get(card.status, '')} step {card.step:,} · "
            f"{card.steps_per_s:.0f} steps/s  \n{modes_text(card)}  \n:small[{changed_text(card)}]"
        )
        st.button("Open", key=f"board.open.{card.student}.{card.slot}", width="stretch", on_click=_open,
                  args=(card.student, card.slot), help="A larger, read-only view of this run.")  # fmt: skip


def _open(student: int, slot: str) -> None:
    st.session_state[OPEN] = (student, slot)


def grid(cards: list[Card]) -> None:
    for start in range(0, len(cards), COLUMNS):
        for col, card in zip(st.columns(COLUMNS), cards[start : start + COLUMNS]):
            with col:
                tile(card)


def large_picture(card: Card) -> bytes:
    """The open tile's picture at LARGE pixels, drawn once per reading."""
    key = (card.run_id, card.slot, card.reading.step)
    cached = st.session_state.get("board.large")
    if cached is None or cached[0] != key:
        st.session_state["board.large"] = cached = (key, card.probe.draw(card.reading, LARGE))
    return cached[1]


def detail(card: Card) -> None:
    """The open tile, larger and read-only: its picture, every setting, and a way to send them to the room."""
    with st.container(border=True, key="board-detail"):
        left, right = st.columns([1, 1])
        if card.reading is not None:
            left.image(image_url(large_picture(card), "image/jpeg"), width=LARGE)
        with right:
            st.markdown(f"### {card.name} · {card.about.page}\n{STATUS_ICONS.get(card.status, '')} {card.status}, "
                        f"step {card.step:,}, {card.steps_per_s:.0f} steps/s  \n{modes_text(card)}")  # fmt: skip
            st.dataframe([{"setting": n, "value": str(v), "default?": "" if n in card.about.changed else "yes"}
                          for n, v in card.about.settings.items()], hide_index=True, height=260)  # fmt: skip
            cols = st.columns(2)
            if card.about.send is None:
                cols[0].caption("These settings cannot be sent: the run trains on its own uploaded points.")
            elif cols[0].button("Send these settings to the room", key="board.send_tile", type="primary"):
                experiment, values = card.about.send
                ROOM.send(experiment, values, f"the settings of {card.name}'s run")
            if cols[1].button("Close", key="board.close"):
                st.session_state.pop(OPEN, None)
                st.rerun(scope="fragment")


def live() -> None:
    """The board's fragment: the sent settings, the aggregate, the open tile and the grid."""
    cards = ROOM.cards()
    broadcast_ui()
    st.caption(f"{len(cards)} runs from {len({c.student for c in cards})} of the {ROOM.students()} student sessions "
               "on this server (runs appear once they have trained).")  # fmt: skip
    aggregate_ui(aggregate(cards), len(cards))
    opened = st.session_state.get(OPEN)
    card = next((c for c in cards if (c.student, c.slot) == opened), None)
    if card is not None:
        detail(card)
    grid(cards)
