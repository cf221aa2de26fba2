/** Styles of the pause controls (kept apart from the base sheet): the "N new" button, list-mode controls. */
export const holdCss = `
.more{padding-inline:.5em;font-weight:700;color:var(--news-ticker-accent-color,#fff);background:var(--news-ticker-accent,#b00020);border-color:transparent;white-space:nowrap}
.list .controls{order:-1;justify-content:flex-end}
:host([stale]) .track{opacity:1;filter:grayscale(1)}
`;
