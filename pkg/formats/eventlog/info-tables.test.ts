import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { END, VARIABLE, cstring, event, header, u32, u64, u8 } from './__tests__/build-eventlog';
import { readEventlog } from './index';

/**
 * -hi (info-table) heap profiles: bands are info-table addresses, named by the IPE events (169). GHC 9.2+ makes them;
 * Debian's GHC 9.0.2 cannot, so the IPE events below are real (ghc-events' 9.2 test log, which has no heap samples)
 * and the -hi censuses are built from the documented layout (HeapProfBegin with break-down 8, HeapProfSampleString
 * with the address printed as `%p`).
 */
const CORPUS = 'test/fixtures/ghc-events-corpus/ghc-9.2-events.eventlog';

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);

/** A -hi census of `[address label, bytes]` bands at `timeNs`. */
function hiCensus(timeNs: number, bands: Array<[string, number]>): Buffer[] {
  const begin = Buffer.concat([u8(0), u64(20_000_000), u32(8), ...Array(7).fill(cstring(''))]);
  return [
    event(160, timeNs, begin, true),
    event(162, timeNs, u64(1), false),
    ...bands.map(([label, bytes]) => event(164, timeNs + 1, Buffer.concat([u8(0), u64(bytes), cstring(label)]), true)),
    event(165, timeNs + 2, u64(1), false),
  ];
}

/** An event block (marker type 18: block size u32, end time u64, capability u16) around `events`. */
function block(startNs: number, endNs: number, events: Buffer[]): Buffer {
  const body = Buffer.concat(events);
  const marker = event(18, startNs, Buffer.concat([u32(24 + body.length), u64(endNs), u16(0)]), false);
  return Buffer.concat([marker, body]);
}

/** ghc-events' reading of the corpus log's IPE events: address (hex), closure description, table name, srcloc. */
function referenceTables(): Array<{ address: string; closureDesc: string; tableName: string; srcLoc: string }> {
  return readFileSync(`${CORPUS}.reference`, 'utf8')
    .split('\n')
    .map((line) => /^\d+: Info Table: ([0-9a-f]+):(\d+):(\S+) - (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: `0x${m[1]}`, closureDesc: m[2], tableName: m[3], srcLoc: m[4] }));
}

describe('eventlog -hi bands named by IPE events', () => {
  it("the real 9.2 IPE events name the census's info tables; an address without one stays as it is", async () => {
    const log = readFileSync(CORPUS);
    const census = hiCensus(200_000_000, [
      ['0x40a0f8', 4096],
      ['0x409f78', 800],
      ['0x409fd8', 160],
      ['0x7f00dead', 16],
    ]);
    const data = await readEventlog(
      Buffer.concat([log.subarray(0, log.length - 2), block(200_000_000, 200_000_010, census), END])
    );
    const heap = data.heap;
    assert.equal(heap?.mode, 'hi');
    assert.ok(heap?.bandInfo);
    // sat_s154_info and sat_s157_info are both `main` in Main at Test.hs:5:1-30: the table name keeps them apart.
    assert.deepEqual(heap.bands, [
      'Main.main (Test.hs:5:1-4)',
      'Main.main (Test.hs:5:1-30)',
      'Main.main (Test.hs:5:1-30) [sat_s157_info]',
      '0x7f00dead',
    ]);
    assert.deepEqual(heap.samples[0].values, {
      'Main.main (Test.hs:5:1-4)': 4096,
      'Main.main (Test.hs:5:1-30)': 800,
      'Main.main (Test.hs:5:1-30) [sat_s157_info]': 160,
      '0x7f00dead': 16,
    });
    const reference = new Map(referenceTables().map((t) => [t.address, t]));
    for (const band of heap.bands.slice(0, 3)) {
      const info = heap.bandInfo[band];
      const expected = reference.get(info.address);
      assert.ok(expected, band);
      assert.equal(info.tableName, expected.tableName);
      assert.equal(info.closureDesc, expected.closureDesc);
      assert.equal(info.srcLoc, expected.srcLoc);
      assert.equal(info.module, 'Main');
      assert.equal(info.label, 'main');
    }
    assert.equal(heap.bandInfo['Main.main (Test.hs:5:1-30)'].typeDesc, 'Integer -> IO ()');
    assert.equal(heap.bandInfo['0x7f00dead'], undefined);
  });

  it('IPE events longer than 9.2 writes them (appended fields) and shorter ones still read', async () => {
    const ipe = (address: number, strings: string[], extra = Buffer.alloc(0)): Buffer =>
      event(169, 10, Buffer.concat([u64(address), ...strings.map(cstring), extra]), true);
    const log = Buffer.concat([
      header([
        [160, VARIABLE],
        [162, 8],
        [164, VARIABLE],
        [165, 8],
        [169, VARIABLE],
      ]),
      // A constructor's table: no label, so the table name stands in; two fields a later GHC might append.
      ipe(
        0x4c7b88,
        [
          'Bin',
          '1',
          'Map',
          '',
          'Data.Map.Internal',
          'libraries/containers/containers/src/Data/Map/Internal.hs:340:1-24',
        ],
        Buffer.concat([cstring('containers-0.6.5.1'), u32(7)])
      ),
      // Cut short after the type description.
      ipe(0x4c7c00, ['go_info', '15', 'Int']),
      ...hiCensus(1000, [
        ['0x4c7b88', 4800],
        ['0x4c7c00', 32],
      ]),
      END,
    ]);
    const heap = (await readEventlog(log)).heap;
    assert.deepEqual(heap?.bands, [
      'Data.Map.Internal.Bin (libraries/containers/containers/src/Data/Map/Internal.hs:340:1-24)',
      'go_info',
    ]);
    assert.deepEqual(heap.bandInfo?.['go_info'], {
      address: '0x4c7c00',
      tableName: 'go_info',
      closureDesc: '15',
      typeDesc: 'Int',
      label: '',
      module: '',
      srcLoc: '',
    });
    assert.equal(heap.bandInfo?.[heap.bands[0]].typeDesc, 'Map');
  });

  it('fixed-size events declared longer than expected keep their fields (ghc-events issue #120)', async () => {
    const log = Buffer.concat([
      header([
        [160, VARIABLE],
        [162, 16],
        [164, VARIABLE],
        [165, 12],
      ]),
      event(160, 5, Buffer.concat([u8(0), u64(20_000_000), u32(2), ...Array(7).fill(cstring('')), u32(1)]), true),
      event(162, 2000, Buffer.concat([u64(1), u64(99)]), false),
      event(164, 2001, Buffer.concat([u8(0), u64(64), cstring('Main'), u64(5)]), true),
      event(165, 3000, Buffer.concat([u64(1), u32(0)]), false),
      END,
    ]);
    const data = await readEventlog(log);
    assert.deepEqual(data.warnings, []);
    assert.equal(data.heap?.mode, 'hm');
    assert.deepEqual(data.heap?.samples, [{ time: 2e-6, values: { Main: 64 } }]);
  });
});
