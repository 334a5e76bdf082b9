/** The demo shop's pages: small but realistic bodies, derived from the request alone (no state). */

const SITE = 'Demo Sports Shop';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** FNV-1a: a stable small hash so a query always yields the same results. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const CATEGORIES = ['running', 'cycling', 'hiking', 'swimming', 'climbing', 'winter', 'fitness', 'team sports'];

export function homePage(): string {
  const links = CATEGORIES.map((c) => `      <li><a href="/search?q=${encodeURIComponent(c)}">${escapeHtml(c)}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${SITE}</title></head>
  <body>
    <h1>${SITE}</h1>
    <form action="/search" method="get"><input name="q" placeholder="Search products"><button>Search</button></form>
    <ul class="categories">
${links}
    </ul>
  </body>
</html>
`;
}

export interface SearchResult {
  readonly id: string;
  readonly title: string;
  readonly priceCents: number;
}

/** 3 to 10 results for any non-empty query, the same ones every time for the same query. */
export function searchResults(query: string): SearchResult[] {
  const h = hash(query.trim().toLowerCase());
  const count = 3 + (h % 8);
  return Array.from({ length: count }, (_, i) => {
    const n = (h + i * 7919) % 100_000;
    return { id: `p-${n}`, title: `${query.trim()} #${i + 1}`, priceCents: 999 + (n % 200) * 50 };
  });
}

export function searchJson(query: string): string {
  const results = searchResults(query);
  return JSON.stringify({ query, total: results.length, results });
}

/** Ids the result page knows: the ones search hands out. */
export const RESULT_ID = /^p-\d{1,5}$/;

export function resultPage(id: string): string {
  const n = Number(id.slice(2));
  const title = `Product ${id}`;
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${escapeHtml(title)} · ${SITE}</title></head>
  <body>
    <h1 data-id="${escapeHtml(id)}">${escapeHtml(title)}</h1>
    <p class="price">${((999 + (n % 200) * 50) / 100).toFixed(2)} €</p>
    <p>In stock: ${n % 17}</p>
    <a href="/">Back to the shop</a>
  </body>
</html>
`;
}
