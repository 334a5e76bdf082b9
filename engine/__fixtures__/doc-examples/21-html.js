// Response.html() and k6/html's parseHTML, as k6's documentation uses them.
import http from 'k6/http';
import { check } from 'k6';
import { parseHTML } from 'k6/html';

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

export default function () {
  const res = http.get(`${__ENV.BASE}/page.html`);
  const doc = res.html();
  check(doc, {
    'find and text': (d) => d.find('h1').text() === 'Books & more',
    'html(selector) is find': () => res.html('li.book').size() === 3,
    attr: (d) => d.find('a#next').attr('href') === '/page/2' && d.find('a#next').attr('rel') === undefined && d.find('a#next').attr('rel', 'none') === 'none',
    'each gives Elements': (d) => {
      const names = [];
      d.find('li.book').each((i, el) => names.push(`${i}:${el.nodeName()}:${el.textContent()}`));
      return names.join(',') === '0:li:Dune,1:li:Emma,2:li:Ulysses';
    },
    'map gives an array': (d) => JSON.stringify(d.find('li.book').map((i, s) => s.attr('data-id'))) === '["1","2","3"]',
    'eq, first, last': (d) => d.find('li.book').eq(1).text() === 'Emma' && d.find('li.book').eq(-1).text() === 'Ulysses' && d.find('li.book').first().text() === 'Dune' && d.find('li.book').last().text() === 'Ulysses',
    'get(i) is an Element': (d) => {
      const el = d.find('li.book').get(0);
      return el.getAttribute('class') === 'book fav' && el.id() === 'b1' && el.innerHTML() === 'Dune' && d.find('li.book').get(9) === undefined;
    },
    'children, parent, closest, filter, is': (d) =>
      d.find('ul').children().size() === 4 && d.find('li.book').parent().size() === 1 && d.find('li.book').first().closest('section').attr('id') === 'shelf' &&
      d.find('li').filter('.fav').size() === 2 && d.find('li').first().is('.book') && !d.find('li').last().is('.book'),
    val: (d) =>
      d.find('input[name=q]').val() === 'sci-fi' && d.find('textarea').val() === 'notes' && d.find('select#single').val() === 'b' &&
      JSON.stringify(d.find('select#multi').val()) === '["x","z"]' && d.find('option').first().val() === 'a',
    data: (d) => {
      const all = d.find('#shelf').data();
      return all.shelfSize === 3 && all.open === true && all.meta.kind === 'books' && all.label === 'front' && d.find('#shelf').data('shelfSize') === 3;
    },
    'html() is the inner HTML': (d) => d.find('h1').html() === 'Books &amp; more',
    parseHTML: () => {
      const s = parseHTML('<div><p class="x">one</p><p>two</p></div>');
      return s.find('p').size() === 2 && s.find('p.x').text() === 'one' && s.find('p').map((i, p) => p.text()).join('+') === 'one+two';
    },
    'unsupported method names itself': (d) => {
      try {
        d.find('li').siblings();
        return false;
      } catch (e) {
        return String(e.message) === 'Selection.siblings is not supported by the embedded engine';
      }
    },
  });
}
