/**
 * k6/html (parseHTML, Selection, Element) and what Response.html() returns: the commonly used
 * part of k6's goquery-based API over node-html-parser (which brings css-select for the
 * selectors). In the lazy bundle: a script that never parses HTML does not carry a parser.
 */
import { parse, type HTMLElement, type Node } from 'node-html-parser';

// node-html-parser keeps <pre> as raw text by default; HTML parses its content, as goquery does.
const PARSE_OPTIONS = { blockTextElements: { script: true, noscript: true, style: true, textarea: true } };

/** An element (the document root has no tag name: it is no element). */
const isElement = (n: Node | null | undefined): n is HTMLElement => !!n && n.nodeType === 1 && !!(n as HTMLElement).rawTagName;
const tagOf = (n: HTMLElement): string => n.rawTagName.toLowerCase();

function notSupported(owner: string, names: readonly string[], proto: object): void {
  for (const name of names) {
    Object.defineProperty(proto, name, {
      value() {
        throw new Error(`${owner}.${name} is not supported by the embedded engine`);
      },
    });
  }
}

type Matcher = string | ((index: number, sel: Selection) => unknown) | Selection | Element;

/** k6's Selection: a set of nodes in document order, without duplicates. */
export class Selection {
  readonly #nodes: readonly HTMLElement[];
  constructor(nodes: readonly HTMLElement[]) {
    this.#nodes = [...new Set(nodes)];
  }
  #map(fn: (n: HTMLElement) => Iterable<HTMLElement> | HTMLElement | null | undefined): Selection {
    const out: HTMLElement[] = [];
    for (const n of this.#nodes) {
      const r = fn(n);
      if (!r) continue;
      if (Symbol.iterator in r) out.push(...r);
      else out.push(r);
    }
    return new Selection(out);
  }
  #test(m: Matcher): (n: HTMLElement, i: number) => boolean {
    if (typeof m === 'string') return (n) => isElement(n) && n.matches(m);
    if (typeof m === 'function') return (n, i) => !!m(i, new Selection([n]));
    if (m instanceof Selection) {
      const set = new Set(m.#nodes);
      return (n) => set.has(n);
    }
    if (m instanceof Element) return (n) => n === m.node;
    throw new TypeError(
      `Invalid argument: cannot use a ${typeof m} as a selector (expected a selector string, a function, a Selection or an Element)`,
    );
  }
  #filtered(sel: Selection, selector: string | undefined): Selection {
    return selector === undefined ? sel : sel.filter(selector);
  }
  /** k6's find(selector): the descendants matching it. */
  find(selector: string | Selection | Element): Selection {
    if (typeof selector === 'string') return this.#map((n) => n.querySelectorAll(selector));
    const test = this.#test(selector);
    return this.#map((n) => n.querySelectorAll('*').filter((d) => test(d, 0)));
  }
  children(selector?: string): Selection {
    return this.#filtered(
      this.#map((n) => n.children),
      selector,
    );
  }
  parent(selector?: string): Selection {
    return this.#filtered(
      this.#map((n) => (isElement(n.parentNode) ? n.parentNode : null)),
      selector,
    );
  }
  parents(selector?: string): Selection {
    return this.#filtered(
      this.#map((n) => {
        const up: HTMLElement[] = [];
        for (let p = n.parentNode; isElement(p); p = p.parentNode) up.push(p);
        return up;
      }),
      selector,
    );
  }
  /** The first element matching, from each element itself up through its ancestors. */
  closest(selector: Matcher): Selection {
    const test = this.#test(selector);
    return this.#map((n) => {
      for (let p: HTMLElement | null = n; isElement(p); p = p.parentNode) if (test(p, 0)) return p;
      return null;
    });
  }
  /** goquery's Eq: a negative index counts from the end; out of range gives an empty Selection. */
  eq(index: number): Selection {
    const i = index < 0 ? this.#nodes.length + index : index;
    const n = this.#nodes[i];
    return new Selection(n ? [n] : []);
  }
  first(): Selection {
    return this.eq(0);
  }
  last(): Selection {
    return this.eq(-1);
  }
  size(): number {
    return this.#nodes.length;
  }
  /** get(i): the Element at i (undefined out of range); get(): all of them. */
  get(index?: number): Element | Element[] | undefined {
    if (index === undefined || index === null) return this.#nodes.map((n) => new Element(n));
    const n = this.eq(index).#nodes[0];
    return n ? new Element(n) : undefined;
  }
  toArray(): Selection[] {
    return this.#nodes.map((n) => new Selection([n]));
  }
  each(fn: (index: number, element: Element) => void): Selection {
    this.#nodes.forEach((n, i) => fn(i, new Element(n)));
    return this;
  }
  map(fn: (index: number, sel: Selection) => unknown): unknown[] {
    return this.#nodes.map((n, i) => fn(i, new Selection([n])));
  }
  filter(m: Matcher): Selection {
    const test = this.#test(m);
    return new Selection(this.#nodes.filter((n, i) => test(n, i)));
  }
  not(m: Matcher): Selection {
    const test = this.#test(m);
    return new Selection(this.#nodes.filter((n, i) => !test(n, i)));
  }
  is(m: Matcher): boolean {
    const test = this.#test(m);
    return this.#nodes.some((n, i) => test(n, i));
  }
  /** The attribute of the first element; `def` (else undefined) when it has none. */
  attr(name: string, def?: unknown): unknown {
    const n = this.#nodes[0];
    return n && isElement(n) && n.hasAttribute(name) ? n.getAttribute(name) : def;
  }
  /** The text of every element, entities decoded, joined as goquery does. */
  text(): string {
    return this.#nodes.map((n) => n.textContent).join('');
  }
  /** The inner HTML of the first element ('' for an empty Selection, as goquery). */
  html(): string {
    return this.#nodes[0]?.innerHTML ?? '';
  }
  /** k6's val(): input/button value, textarea content, option value (else content), select's selected option(s). */
  val(): unknown {
    const n = this.#nodes[0];
    if (!n || !isElement(n)) return undefined;
    switch (tagOf(n)) {
      case 'input':
      case 'button':
        return this.attr('value');
      case 'textarea':
        return this.html();
      case 'option':
        return optionVal(n);
      case 'select': {
        const selected = n.querySelectorAll('option[selected]');
        if (n.hasAttribute('multiple')) return selected.map(optionVal);
        return selected[0] ? optionVal(selected[0]) : '';
      }
      default:
        return undefined;
    }
  }
  /** data(): the first element's data-* attributes (camelCased keys, values typed as k6); data(key): one of them. */
  data(key?: string): unknown {
    const n = this.#nodes[0];
    if (!n || !isElement(n)) return undefined;
    if (key !== undefined) {
      const attr = `data-${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      return n.hasAttribute(attr) ? dataValue(n.getAttribute(attr)!) : undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(n.attributes)) {
      if (name.length > 5 && name.toLowerCase().startsWith('data-'))
        out[
          name
            .slice(5)
            .toLowerCase()
            .replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())
        ] = dataValue(value);
    }
    return out;
  }
}
notSupported(
  'Selection',
  [
    'add',
    'has',
    'next',
    'nextAll',
    'nextUntil',
    'prev',
    'prevAll',
    'prevUntil',
    'parentsUntil',
    'siblings',
    'contents',
    'end',
    'serialize',
    'serializeArray',
    'serializeObject',
  ],
  Selection.prototype,
);

function optionVal(n: HTMLElement): string {
  return n.hasAttribute('value') ? n.getAttribute('value')! : n.innerHTML;
}

/** k6's typing of a data-* value: JSON for {…}/[…], booleans, null/undefined, numbers that read back the same, else the string. */
function dataValue(v: string): unknown {
  if (v === '' || v === 'null' || v === 'undefined') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v[0] === '{' || v[0] === '[') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  const num = Number(v);
  return String(num) === v ? num : v;
}

/** k6's Element: its DOM-like accessors are methods (`el.nodeName()`), as in k6. */
export class Element {
  constructor(readonly node: HTMLElement) {}
  nodeName(): string {
    return tagOf(this.node);
  }
  id(): string {
    return this.node.id;
  }
  className(): string | undefined {
    return this.node.getAttribute('class');
  }
  textContent(): string {
    return this.node.textContent;
  }
  innerHTML(): string {
    return this.node.innerHTML;
  }
  outerHTML(): string {
    return this.node.outerHTML;
  }
  getAttribute(name: string): string | undefined {
    return this.node.getAttribute(name);
  }
  hasAttribute(name: string): boolean {
    return this.node.hasAttribute(name);
  }
  hasAttributes(): boolean {
    return Object.keys(this.node.attributes).length > 0;
  }
  attributes(): Record<string, string> {
    return { ...this.node.attributes };
  }
  childElementCount(): number {
    return this.node.children.length;
  }
  children(): Element[] {
    return this.node.children.map((c) => new Element(c));
  }
  parentElement(): Element | undefined {
    const p = this.node.parentNode;
    return isElement(p) ? new Element(p) : undefined;
  }
  matches(selector: string): boolean {
    return this.node.matches(selector);
  }
  querySelector(selector: string): Element | undefined {
    const n = this.node.querySelector(selector);
    return n ? new Element(n) : undefined;
  }
  querySelectorAll(selector: string): Element[] {
    return this.node.querySelectorAll(selector).map((n) => new Element(n));
  }
  toString(): string {
    return '[object html.Element]';
  }
}
notSupported(
  'Element',
  [
    'baseURI',
    'childNodes',
    'classList',
    'contains',
    'firstChild',
    'firstElementChild',
    'getAttributeNode',
    'getElementsByClassName',
    'getElementsByTagName',
    'hasChildNodes',
    'isDefaultNamespace',
    'isEqualNode',
    'isSameNode',
    'lang',
    'lastChild',
    'lastElementChild',
    'namespaceURI',
    'nextElementSibling',
    'nextSibling',
    'nodeType',
    'nodeValue',
    'ownerDocument',
    'parentNode',
    'previousElementSibling',
    'previousSibling',
  ],
  Element.prototype,
);

/** k6's parseHTML(src): the Selection of the whole document. */
export function parseHTML(src: string): Selection {
  return new Selection([parse(String(src), PARSE_OPTIONS)]);
}

export default { parseHTML };
