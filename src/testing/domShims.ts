/**
 * Browser APIs jsdom lacks that @grafana/ui's Combobox calls (its menu's scroll indicators). Inert stand-ins: the
 * tests never depend on what they would report.
 */
class InertIntersectionObserver {
  readonly root = null;
  readonly rootMargin = '';
  readonly thresholds = [];
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

if (typeof window !== 'undefined' && !('IntersectionObserver' in window)) {
  Object.assign(window, { IntersectionObserver: InertIntersectionObserver });
}

/**
 * jsdom lays nothing out, so every element measures 0x0 and a virtualised list (Combobox's menu, measured through
 * clientWidth/clientHeight by @tanstack/virtual-core) renders no rows. Give elements a nominal box so the menu shows
 * its options as in a browser (Grafana's own Combobox tests do the same with getBoundingClientRect).
 */
if (typeof HTMLElement !== 'undefined') {
  Object.defineProperties(HTMLElement.prototype, {
    clientHeight: { configurable: true, get: () => 300 },
    clientWidth: { configurable: true, get: () => 300 },
  });
}
