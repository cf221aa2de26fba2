import { holdCss } from './news-ticker.hold-styles.js';

/**
 * The widget's styles, adopted as a constructable stylesheet (no <style> element, no style
 * attribute), so it renders styled under a CSP without 'unsafe-inline'. Themable through the
 * --news-ticker-* custom properties and ::part().
 *
 * Long words: every item has overflow-wrap:anywhere, so an unbroken word (a 280-character one)
 * breaks where it would overflow and no longer sets the item's minimum width. In list, rotate and
 * reduced-motion modes an item is as wide as the widget and wraps inside it. The moving strip is
 * one line by design and runs past the visible area (clipped by .viewport); there an item grows
 * with its text up to --news-ticker-item-max-width (default 100em, about 200 Latin characters, so
 * real headlines stay on one line) and wraps within that width beyond it.
 */
export const css = `
:host{display:block;contain:content;font:var(--news-ticker-font,inherit);font-size:var(--news-ticker-font-size,1rem);color:var(--news-ticker-color,#111);background:var(--news-ticker-background,#fff);border:var(--news-ticker-border,1px solid #ddd)}
:host([hidden]),[hidden]{display:none!important}
.base{display:flex;align-items:center;gap:.5em;min-height:2.5em;padding-inline:.5em}
.title,.label{font-weight:700;color:var(--news-ticker-accent-color,#fff);background:var(--news-ticker-accent,#b00020);padding:.25em .6em}
.title:empty{display:none}
.label{font-size:.85em;padding:.05em .45em;border-radius:2px}
.viewport{flex:1;min-width:0;overflow:hidden}
.track{display:flex;width:max-content;will-change:transform}
ul{display:flex;list-style:none;margin:0;padding:0}
.item{display:flex;align-items:baseline;gap:.5em;box-sizing:border-box;max-width:var(--news-ticker-item-max-width,100em);overflow-wrap:anywhere;padding-inline-end:var(--news-ticker-gap,3em)}
.label,.time{white-space:nowrap}
a{color:inherit;text-decoration:none}
a:hover{text-decoration:underline}
:focus-visible{outline:2px solid var(--news-ticker-focus,#1a5fd0);outline-offset:2px}
.time,.status{font-size:.85em;color:var(--news-ticker-muted,#555)}
.controls{display:flex;gap:.25em}
button{font:inherit;line-height:1;min-width:2em;min-height:2em;cursor:pointer;color:inherit;background:var(--news-ticker-button-background,none);border:1px solid;border-radius:4px}
:host([stale]) .track{opacity:.6}
.pause::before{content:"";display:inline-block;width:.25em;height:.75em;border:solid;border-width:0 .2em}
.pause[aria-pressed=true]::before{width:0;height:0;border-width:.4em 0 .4em .65em;border-color:transparent currentColor}
.list{flex-direction:column;align-items:stretch}
.list .track{display:block;width:auto}
.list ul{flex-direction:column}
.list .item{display:block;padding:.6em 0;border-bottom:1px solid var(--news-ticker-divider,#e5e5e5)}
.list .label{margin-inline-end:.5em}
.list .time{display:block}
.list .item:last-child{border:0}
.one .track{display:block;width:auto}
.one .item,.list .item{max-width:none;padding-inline-end:0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

let sheet: CSSStyleSheet | undefined;

/** Adopts the shared sheet into a shadow root (one CSSStyleSheet for every widget on the page). */
export function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css + holdCss);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    // Browsers without constructable stylesheets (older Safari): a <style> element, which a
    // strict CSP would block; they are outside the supported set.
    const style = document.createElement('style');
    style.textContent = css + holdCss;
    root.append(style);
  }
}
