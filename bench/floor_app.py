"""The floor for a step: the most trivial Streamlit app with a "Next ▶" button (run by hand,
by bench/bench_step.py). A click reruns the script, which shows the next number."""

import streamlit as st

st.session_state.setdefault("n", 0)


def _next() -> None:
    st.session_state["n"] += 1


st.button("Next ▶", key="next", on_click=_next)
st.markdown(f'<div class="floor-n">{st.session_state["n"]}</div>', unsafe_allow_html=True)
