// Form state as plain data. Inputs carry data-path="grow.goal" / "goals.0.measure"; collect() reads them back
// into the object the draft stores, so a form can be rebuilt from its draft after the panel reopens.

export function getPath(target: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, part) => (node == null ? undefined : (node as Record<string, unknown>)[part]),
      target,
    );
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  parts.slice(0, -1).forEach((part, i) => {
    if (node[part] == null || typeof node[part] !== 'object')
      node[part] = /^\d+$/.test(parts[i + 1] ?? '') ? [] : {};
    node = node[part] as Record<string, unknown>;
  });
  node[parts[parts.length - 1]!] = value;
}

export function collect<T>(form: HTMLElement, base: T): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  form
    .querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('[data-path]')
    .forEach((el) => {
      const value = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value;
      setPath(copy, el.dataset.path!, value);
    });
  return copy as T;
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
