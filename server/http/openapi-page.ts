/** A plain HTML reference page rendered from the OpenAPI document: no scripts, no CDN, works offline. */

type Json = Record<string, unknown>;

const esc = (value: unknown): string =>
  String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderReference(spec: Json): string {
  const info = spec.info as { title: string; version: string; description: string };
  const paths = spec.paths as Record<string, Record<string, Json>>;
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters as { name: string; in: string; description?: string }[]) ?? [];
      const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content;
      const responses = op.responses as Record<string, { description?: string; $ref?: string }>;
      const secured = (op.security as unknown[]).length > 0;
      sections.push(`<section id="${esc(op.operationId)}">
<h3><code>${esc(method.toUpperCase())} /api/v1${esc(path)}</code></h3>
<p>${esc(op.summary)}${secured ? ' <strong>(API key)</strong>' : ''}</p>
${params.length ? `<table><thead><tr><th>parameter</th><th>in</th><th>description</th></tr></thead><tbody>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(p.description ?? '')}</td></tr>`).join('')}</tbody></table>` : ''}
${body ? Object.entries(body).map(([type, media]) => `<details><summary>Request body: <code>${esc(type)}</code></summary><pre>${esc(JSON.stringify(media.schema, null, 2))}</pre></details>`).join('\n') : ''}
<ul>${Object.entries(responses).map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description ?? 'problem+json')}</li>`).join('')}</ul>
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(info.title)} reference</title></head>
<body>
<main>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => `<li><a href="#${esc(op.operationId)}"><code>${esc(m.toUpperCase())} ${esc(path)}</code></a></li>`)).join('')}</ul></nav>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
