"""In-page accessibility probes (JavaScript run in the browser, results back as lists).

They read what the browser computed: labels as the accessibility tree sees them, image
alternatives, and colours after CSS (WCAG 2.x contrast, with alpha composited)."""

from __future__ import annotations

UNLABELLED_FIELDS = """() => {
  const named = (el) => {
    const aria = (el.getAttribute("aria-label") || "").trim();
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const by = ids.map((id) => (document.getElementById(id) || {}).textContent || "").join("").trim();
    const labels = [...(el.labels || [])].map((l) => l.textContent).join("").trim();
    return aria || by || labels;
  };
  return [...document.querySelectorAll("input, textarea, select")]
    // aria-hidden: kept away from assistive technology (Streamlit's native date picker)
    .filter((el) => el.type !== "hidden" && !el.closest("[aria-hidden=true]") && !named(el))
    .map((el) => el.outerHTML.slice(0, 200));
}"""

IMAGES_WITHOUT_ALT = """() => [...document.querySelectorAll("img")]
  .filter((img) => !(img.getAttribute("alt") || "").trim()
    && img.getAttribute("aria-hidden") !== "true" && img.getAttribute("role") !== "presentation")
  .map((img) => img.outerHTML.slice(0, 200))"""

# Every visible text node: its colour (with the opacity of its ancestors) over the
# composited background, against WCAG AA (4.5:1, or 3:1 for large text: 24px, or 18.66px
# bold). Returns {text: [ratio, needed, detail]} for the failures.
LOW_CONTRAST_TEXT = """() => {
  const rgba = (css) => {
    const n = (css.match(/[\\d.]+/g) || []).map(Number);
    return n.length >= 3 ? [n[0], n[1], n[2], n.length > 3 ? n[3] : 1] : [0, 0, 0, 0];
  };
  const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  const background = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(rgba(getComputedStyle(e).backgroundColor));
    return chain.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const seen = new Set(), failures = {};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === "hidden" || el.closest("[aria-hidden=true]")) continue;
    const back = background(el);
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    const [r, g, b, a] = rgba(style.color);
    const fore = over([r, g, b, a * opacity], back);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    const found = ratio(fore, back);
    if (found < needed) {
      failures[el.textContent.trim().slice(0, 60)] = [found, needed,
        `${size}px ${style.color} × opacity ${opacity} on rgb(${back.map(Math.round)})`];
    }
  }
  return failures;
}"""


def low_contrast(page, samples: int = 3, gap_ms: int = 400) -> list[str]:
    """Text below AA in every one of a few samples: a projector fragment that is rerunning
    fades its elements for an instant, which a person does not read as the page's colours."""
    failing = None
    for number in range(samples):
        if number:
            page.wait_for_timeout(gap_ms)
        found = page.evaluate(LOW_CONTRAST_TEXT)
        failing = found if failing is None else {k: v for k, v in found.items() if k in failing}
    return [
        f"{ratio:.2f}:1 < {needed}:1 — {detail} — «{text}»"
        for text, (ratio, needed, detail) in failing.items()
    ]
