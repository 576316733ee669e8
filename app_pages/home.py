"""Home: the game in a few sentences, and a link to every page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from playground.ui import nav

st.title("GAN Playground")
st.markdown(
    "A **generative adversarial network** is a game between two networks. The **generator** G turns random "
    "noise z into samples G(z); the **discriminator** D looks at a point and outputs D(x), its probability that "
    "the point is real. D is trained to tell real from fake, G to fool D. Formally they play"
)
st.latex(
    r"\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)]"
    r" + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]"
)
st.markdown("For a fixed generator the best discriminator is")
st.latex(r"D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}")
st.markdown(
    "and the game's optimum is reached when the generator's distribution equals the data's, "
    "$p_g = p_\\text{data}$: then the discriminator can only guess, $D^* = \\tfrac12$ everywhere, and "
    "$V = \\log\\tfrac12 + \\log\\tfrac12 = -\\log 4 \\approx -1.386$ (Goodfellow et al., 2014)."
)
st.subheader("Pages")
root = Path(__file__).resolve().parent.parent
for path, title, icon, blurb in nav.available_pages(root):
    if path != "app_pages/home.py":
        st.page_link(path, label=f"**{title}**: {blurb}", icon=icon)
