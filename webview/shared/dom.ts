/** Small DOM helpers shared by the panels. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

/** A custom element (the vscode-elements controls) with attributes and children. */
export function ce(tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

/** A <vscode-single-select> with options; `onChange` gets the chosen value. */
export function select(id: string, label: string, options: { value: string; label: string }[], value: string, onChange: (v: string) => void): HTMLElement {
  const s = ce('vscode-single-select', { id, 'aria-label': label });
  for (const o of options) {
    const opt = ce('vscode-option', { value: o.value }, o.label);
    if (o.value === value) opt.setAttribute('selected', '');
    s.append(opt);
  }
  (s as HTMLElement & { value: string }).value = value;
  s.addEventListener('change', () => onChange((s as HTMLElement & { value: string }).value));
  return el('label', { class: 'field' }, el('span', {}, label), s);
}

export function checkbox(id: string, label: string, checked: boolean, onChange: (v: boolean) => void): HTMLElement {
  const c = ce('vscode-checkbox', { id, label, ...(checked ? { checked: '' } : {}) });
  c.addEventListener('change', () => onChange((c as HTMLElement & { checked: boolean }).checked));
  return c;
}

export function button(label: string, onClick: () => void, secondary = false): HTMLElement {
  const b = ce('vscode-button', secondary ? { secondary: '' } : {}, label);
  b.addEventListener('click', onClick);
  return b;
}

export const pct = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(d)}%`);
export const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
