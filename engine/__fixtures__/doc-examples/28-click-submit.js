// Browsing as k6's docs show it: Response.submitForm() fills in and sends a page's form,
// Response.clickLink() follows a link.
import http from 'k6/http';
import { check } from 'k6';

const H = __ENV.HTTPBIN;
export const options = { vus: 1, iterations: 1 };

export default function () {
  const page = http.get(`${H}/forms/post`);
  const sent = page.submitForm({ fields: { custname: 'k6', size: 'large' } });
  check(sent.json(), {
    "submitForm posts to the form's action": (b) => b.url === `${H}/post` && b.headers['Content-Type'] === 'application/x-www-form-urlencoded',
    'with the fields given over the form': (b) => b.form.custname === 'k6' && b.form.size === 'large',
    "and the form's own fields and submit button": (b) => b.form.token === 't0k3n' && b.form.topping === 'bacon' && b.form.comments === 'none' && b.form.go === 'Order',
    'but no disabled, unchecked or file field': (b) => b.form.old === undefined && b.form.extra === undefined && b.form.photo === undefined,
  });

  const next = http.get(`${H}/links/3/0`).clickLink({ selector: 'a' });
  check(next, { 'clickLink follows the first link': (r) => r.status === 200 && r.url === `${H}/links/3/1` });
  let missing = '';
  try {
    next.clickLink({ selector: 'a.none' });
  } catch (e) {
    missing = String(e);
  }
  check(missing, { 'no link: an error naming the selector': (m) => m.includes("no element found for selector 'a.none'") });
}
