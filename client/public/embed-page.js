// The iframe page: /embed?channels=ar-breaking&mode=scroll&lang=ar&dir=rtl&label=عاجل&speed=60&max=20
// Every query parameter that is a <news-ticker> attribute is passed through; links open in the
// top window unless ?target= says otherwise.
import { NewsTicker } from '/embed.js';

const params = new URLSearchParams(location.search);
const ticker = document.createElement('news-ticker');
for (const name of NewsTicker.observedAttributes) {
  const value = params.get(name);
  if (value !== null && name !== 'lang') ticker.setAttribute(name, value);
}
if (!ticker.hasAttribute('target')) ticker.setAttribute('target', '_top');
const lang = params.get('lang');
const dir = params.get('dir');
if (lang) document.documentElement.lang = lang;
if (dir === 'rtl' || dir === 'ltr') document.documentElement.dir = dir;
else if (lang && /^(ar|fa|he|ur)\b/.test(lang)) document.documentElement.dir = 'rtl';
// One main landmark with a heading (the label, or "Latest headlines" in the page language).
const title = params.get('label') || (document.documentElement.dir === 'rtl' || /^ar\b/.test(lang ?? '') ? 'آخر الأخبار' : 'Latest headlines');
document.getElementById('embed-title').textContent = title;
document.title = title;
document.getElementById('main').append(ticker);
