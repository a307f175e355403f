/** Attributes of {@link element}: strings set as attributes (never as HTML). */
export type Attributes = Readonly<Record<string, string>>;

/**
 * Creates an element with attributes and children. Text children become text nodes, so strings
 * from configs and links are never parsed as HTML (no script injection through a model name).
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The element with `id`, which the page's HTML guarantees. */
export function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/** A `table.metrics` with one header row of `headers` and the given body rows. */
export function dataTable(
  headers: readonly string[],
  rows: readonly HTMLTableRowElement[],
  attributes: Attributes = {},
): HTMLTableElement {
  return element(
    'table',
    { class: 'metrics', ...attributes },
    element('thead', {}, element('tr', {}, ...headers.map((header) => element('th', {}, header)))),
    element('tbody', {}, ...rows),
  );
}
