/** `service=search, pod=search-1` -> {service: 'search', pod: 'search-1'}; throws on an item without `=`. */
export function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new Error(`label "${item}" is not name=value`);
    }
    labels[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return labels;
}
