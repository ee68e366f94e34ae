import type { InfoTableProvenance } from '../../model/types';
import type { Payload } from './payload';
import { CStrings, u64 } from './payload';

/** IPE's fixed part: the info table's address (u64); then the NUL-terminated strings. */
const IPE_FIXED = 8;

/**
 * Info-table provenance from IPE events (169): what a -hi census band (`0x4c7b88`, the table's address) is. GHC 9.2
 * writes info u64, then table name, closure description, type description, label, module and source location as
 * NUL-terminated strings. Later GHCs may append fields (ghc-events issue #120): bytes after the known strings are
 * ignored, and a string missing from a short event reads as empty.
 */
export class InfoTableMap {
  private readonly byAddress = new Map<number, InfoTableProvenance>();

  define(p: Payload): void {
    if (p.end - p.start < IPE_FIXED) {
      return;
    }
    const address = u64(p.view, p.start);
    const strings = new CStrings(p, p.start + IPE_FIXED);
    const next = (): string => (strings.offset() < p.end ? strings.next() : '');
    this.byAddress.set(address, {
      address: `0x${address.toString(16)}`,
      tableName: next(),
      closureDesc: next(),
      typeDesc: next(),
      label: next(),
      module: next(),
      srcLoc: next(),
    });
  }

  /** Every table described so far (a continuation's part). */
  exportTables(): InfoTableProvenance[] {
    return [...this.byAddress.values()];
  }

  restoreTables(tables: readonly InfoTableProvenance[]): void {
    for (const info of tables) {
      this.byAddress.set(Number.parseInt(info.address.slice(2), 16), info);
    }
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** The provenance of a -hi band label (`0x...` as GHC prints a pointer), when an IPE event described it. */
  lookup(bandLabel: string): InfoTableProvenance | undefined {
    if (!/^0x[0-9a-f]{1,13}$/i.test(bandLabel)) {
      return undefined;
    }
    return this.byAddress.get(Number.parseInt(bandLabel.slice(2), 16));
  }
}

/**
 * A -hi band as people read it: the closure's qualified name and where it is defined, `Data.Map.Internal.Bin
 * (Data/Map/Internal.hs:…)`. The label names the binding; a constructor's table has none, so its table name stands in.
 */
export function infoTableBandLabel(info: InfoTableProvenance): string {
  const name = info.label !== '' ? info.label : info.tableName;
  const qualified = info.module !== '' && !name.startsWith(`${info.module}.`) ? `${info.module}.${name}` : name;
  return info.srcLoc !== '' ? `${qualified} (${info.srcLoc})` : qualified;
}
