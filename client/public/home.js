// Fills this server's origin into the snippets on the home page.
for (const code of document.querySelectorAll('code[data-origin]')) {
  code.textContent = code.textContent.replaceAll('ORIGIN', location.origin);
}
