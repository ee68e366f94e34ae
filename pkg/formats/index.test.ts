import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectKind, readProfile, readProfileFile } from './index';
import { FormatError, UnknownFormatError } from './errors';
import type { ProfileData, ProfileKind } from '../model/types';
import { BAD, EXTRA, GHC } from './__tests__/helpers';

function kindByName(file: string): ProfileKind | null {
  if (file.endsWith('.json.prof')) return 'prof-json';
  if (file.endsWith('.prof')) return 'prof';
  if (file.endsWith('.hp')) return 'hp';
  if (file.endsWith('.eventlog')) return 'eventlog';
  if (file.endsWith('.rts-stats.txt') || file.endsWith('.rts-stats.machine.txt')) return 'bench';
  return null;
}

const GOOD = [...readdirSync(GHC).map((f) => join(GHC, f)), ...readdirSync(EXTRA).map((f) => join(EXTRA, f))].filter(
  (f) => kindByName(f) !== null
);

describe('detectKind: by content', () => {
  for (const path of GOOD) {
    it(`${path} -> ${kindByName(path)}`, () => {
      assert.equal(detectKind(readFileSync(path)), kindByName(path));
    });
  }
  it('text that is none of them, JSON without rts_arguments, binary noise, empty: null', () => {
    assert.equal(detectKind(readFileSync(join(GHC, 'README.md'))), null);
    assert.equal(detectKind(Buffer.from('{"program": "x", "profile": {}}')), null);
    assert.equal(detectKind(readFileSync(join(BAD, 'binary.prof'))), null);
    assert.equal(detectKind(Buffer.alloc(0)), null);
  });
  it('an eventlog named .prof is an eventlog; one whose magic is damaged is still routed to the eventlog reader', () => {
    assert.equal(detectKind(readFileSync(join(BAD, 'eventlog-named.prof'))), 'eventlog');
    assert.equal(detectKind(readFileSync(join(BAD, 'bad-header.eventlog'))), 'eventlog');
  });
  it('a byte-order mark before a report is allowed, and read past, by every text reader', async () => {
    for (const file of ['search.hc.hp', 'search.prof', 'search.json.prof']) {
      const plain = readFileSync(join(GHC, file));
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
      assert.equal(detectKind(bom), kindByName(file));
      assert.deepEqual(await readProfile(bom), await readProfile(plain));
      assert.deepEqual(await readProfile(gzipSync(bom)), await readProfile(plain));
    }
  });
});

describe('readProfile and readProfileFile: every fixture, plain and gzipped, give the same result', () => {
  for (const path of GOOD) {
    it(path, async () => {
      const bytes = readFileSync(path);
      const fromBuffer = await readProfile(bytes, { file: path });
      const fromFile = await readProfileFile(path);
      const fromGzip = await readProfile(gzipSync(bytes), { file: path });
      assert.equal(fromBuffer.kind, kindByName(path));
      assert.deepEqual(fromFile, fromBuffer);
      assert.deepEqual(fromGzip, fromBuffer);
      assert.equal(fromBuffer.truncated, false);
    });
  }
});

/** What each file in bad/ must give (see test/fixtures/ghc/bad/README.md). */
const BAD_EXPECTATIONS: Record<string, (r: ProfileData | Error) => void> = {
  'truncated.prof': (r) => {
    assert.ok(!(r instanceof Error));
    assert.equal(r.kind, 'prof');
    assert.equal(r.truncated, true);
    assert.match(r.warnings[0], /^line 41: the file ends inside this line/);
  },
  'truncated.json.prof': (r) => {
    assert.ok(!(r instanceof Error));
    assert.equal(r.kind, 'prof-json');
    assert.equal(r.truncated, true);
    assert.match(r.warnings[0], /line 43, column 39 \(character 19477\)/);
  },
  'truncated.hp': (r) => {
    assert.ok(!(r instanceof Error));
    assert.equal(r.heap!.samples.length, 10);
    assert.equal(r.truncated, true);
    assert.match(r.warnings[0], /^line 136: .*line 132/);
  },
  'garbage-lines.prof': (r) => {
    assert.ok(r instanceof FormatError);
    assert.equal(r.line, 31);
    assert.match(
      r.message,
      /garbage-lines\.prof: prof at line 31: 4 malformed lines: line 31: .*line 37: .*line 43: .*line 49: /
    );
  },
  'garbage-lines.hp': (r) => {
    assert.ok(r instanceof FormatError);
    assert.equal(r.line, 13);
    assert.match(r.message, /garbage-lines\.hp: hp at line 13: 2 malformed lines: line 13: .*line 22: /);
  },
  'empty.prof': (r) => assertEmpty(r),
  'empty.hp': (r) => assertEmpty(r),
  'empty.eventlog': (r) => assertEmpty(r),
  'binary.prof': (r) => {
    assert.ok(r instanceof UnknownFormatError);
    assert.match(
      r.message,
      /binary\.prof: not a GHC profiling artefact .*binary data that is not an eventlog \(no "hdrb" magic at byte 0/
    );
  },
  'eventlog-named.prof': (r) => {
    // the first 8 KiB of leaky.eventlog: recognised by content, read as a cut-off eventlog
    assert.ok(!(r instanceof Error), String(r));
    assert.equal(r.kind, 'eventlog');
    assert.equal(r.truncated, true);
  },
  'bad-header.eventlog': (r) => {
    assert.ok(r instanceof FormatError);
    assert.equal(r.format, 'eventlog');
    assert.equal(r.offset, 0);
    assert.match(r.message, /expected header marker `hdrb`/);
  },
  'truncated.eventlog': (r) => {
    assert.ok(!(r instanceof Error));
    assert.equal(r.kind, 'eventlog');
    assert.equal(r.truncated, true);
    assert.ok(r.warnings.some((w) => w.includes('198696')));
  },
  'interleaved-corrupt.eventlog': (r) => {
    assert.ok(!(r instanceof Error));
    assert.equal(r.kind, 'eventlog');
    // GHC's timer wrote an event into the middle of another around byte 273,000 (see bad/README.md): the
    // warning names a byte offset in that damaged stretch
    const offsets = r.warnings.flatMap((w) => [...w.matchAll(/byte (\d+)/g)].map((m) => Number(m[1])));
    assert.ok(
      offsets.some((o) => o >= 272_960 && o <= 273_127),
      r.warnings.join('\n')
    );
  },
};

function assertEmpty(r: ProfileData | Error): void {
  assert.ok(r instanceof UnknownFormatError);
  assert.match(r.message, /empty file \(0 bytes\)/);
}

describe('readProfile: every file in test/fixtures/ghc/bad', () => {
  const files = readdirSync(BAD).filter((f) => f !== 'README.md');
  it('has an expectation for each file', () => {
    assert.deepEqual(files.sort(), Object.keys(BAD_EXPECTATIONS).sort());
  });
  for (const file of files) {
    it(file, async () => {
      const path = join(BAD, file);
      const outcome = async (p: Promise<ProfileData>) => p.catch((err: Error) => err);
      const fromBuffer = await outcome(readProfile(readFileSync(path), { file: path }));
      const fromFile = await outcome(readProfileFile(path));
      BAD_EXPECTATIONS[file](fromBuffer);
      BAD_EXPECTATIONS[file](fromFile);
      if (fromBuffer instanceof Error) {
        assert.ok(fromBuffer.message.startsWith(path), `the error names the file: ${fromBuffer.message}`);
      }
    });
  }
});

describe('readProfileFile closes what it opens', () => {
  it('no file descriptors are left open after refusals and early stops', async () => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      await assert.rejects(readProfileFile(join(GHC, 'README.md')), UnknownFormatError);
      await assert.rejects(readProfileFile(join(BAD, 'garbage-lines.hp')), FormatError);
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // stream 'close' is asynchronous
    assert.ok(openFds() <= before + 1, `${openFds()} open fds, ${before} before`);
  });
});

describe('gzip input', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ghcprof-formats-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a gzip bomb fails at maxBytes with a FormatError naming the limit (detected kind: hp)', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('JOB "x"\nBEGIN_SAMPLE 0\n'), Buffer.alloc(24 << 20, 'A\t1\n')]));
    assert.ok(bomb.length < 1 << 20);
    const path = join(dir, 'bomb.hp.gz');
    writeFileSync(path, bomb);
    for (const attempt of [
      readProfile(bomb, { file: path, maxBytes: 8 << 20 }),
      readProfileFile(path, { maxBytes: 8 << 20 }),
    ]) {
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.equal(err.format, 'hp');
        assert.match(
          err.message,
          /bomb\.hp\.gz: hp at byte offset \d+: gzip data decompresses to more than 8388608 bytes \(the limit\)/
        );
        return true;
      });
    }
  });

  it('a gzip bomb of zeros is refused as unknown content before it is inflated', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    await assert.rejects(readProfile(bomb, { file: 'z.gz', maxBytes: 16 << 20 }), UnknownFormatError);
  });

  it('a cut-off .gz gives the intact part, truncated, with a warning', async () => {
    const gz = gzipSync(readFileSync(join(GHC, 'leaky.hc.hp')));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const data = await readProfile(cut, { file: 'cut.hp.gz' });
    assert.equal(data.kind, 'hp');
    assert.equal(data.truncated, true);
    assert.ok(data.heap!.samples.length > 3);
    assert.ok(data.warnings.some((w) => /gzip data is damaged or cut off after \d+ decompressed bytes/.test(w)));
  });

  it('an empty gzip member is an empty input', async () => {
    await assert.rejects(readProfile(gzipSync(Buffer.alloc(0)), { file: 'e.gz' }), /e\.gz: .*empty/);
  });
});
