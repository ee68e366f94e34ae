import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ChunkedLineSplitter,
  feedText,
  parseUnsigned,
  parseUnsignedDecimal,
  parseWithCommas,
  fieldsFromRight,
  type LineSink,
} from './text-lines';
import { parseGhcDate, splitCommandLine } from './ghc-header';

/** A sink that records what it is given. */
function recorder(): LineSink<{ lines: Array<[string, number]>; endsWithNewline: boolean }> {
  const lines: Array<[string, number]> = [];
  return {
    line(text, n) {
      lines.push([text, n]);
      return true;
    },
    finish(endsWithNewline) {
      return { lines, endsWithNewline };
    },
  };
}

describe('feedText and ChunkedLineSplitter', () => {
  it('numbered lines without terminators; CRLF; a last line without newline is flagged', () => {
    assert.deepEqual(feedText('a\r\nb\n\nc', recorder()), {
      lines: [
        ['a', 1],
        ['b', 2],
        ['', 3],
        ['c', 4],
      ],
      endsWithNewline: false,
    });
    assert.deepEqual(feedText('a\n', recorder()), { lines: [['a', 1]], endsWithNewline: true });
    assert.deepEqual(feedText('', recorder()), { lines: [], endsWithNewline: true });
  });

  it('a sink can stop early', () => {
    let seen = 0;
    const sink: LineSink<number> = {
      line: () => ++seen < 2,
      finish: () => seen,
    };
    assert.equal(feedText('1\n2\n3\n4\n', sink), 2);
  });

  it('any text cut into any chunks (even inside a UTF-8 character) gives the same lines as the whole text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('\n', '\r\n', 'é', '🙂', '\t')), {
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        (parts, sizes) => {
          const text = parts.join('');
          const bytes = Buffer.from(text, 'utf8');
          const splitter = new ChunkedLineSplitter(recorder());
          let at = 0;
          for (let k = 0; at < bytes.length; k++) {
            const size = sizes[k % sizes.length];
            splitter.push(bytes.subarray(at, at + size));
            at += size;
          }
          assert.deepEqual(splitter.end(), feedText(text, recorder()));
        }
      ),
      { numRuns: 300 }
    );
  });
});

describe('column helpers', () => {
  it('fieldsFromRight finds padded numeric columns at the end of a row whose names contain spaces', () => {
    const bounds = new Int32Array(12);
    const row = ' <*>.\\   Main  <no location info>   12        345    0.1    2.0     3.5  100.0';
    const at = fieldsFromRight(row, 6, bounds);
    const fields = [0, 1, 2, 3, 4, 5].map((k) => row.slice(bounds[2 * k], bounds[2 * k + 1]));
    assert.deepEqual(fields, ['12', '345', '0.1', '2.0', '3.5', '100.0']);
    assert.equal(row.slice(0, at).trim(), '<*>.\\   Main  <no location info>');
    assert.equal(fieldsFromRight('  a b c', 6, bounds), -1);
  });

  it('parseUnsignedDecimal gives exactly the double Number() gives', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer({ min: 0, max: 6 }), (n, decimals) => {
        const s = decimals === 0 ? String(n) : (n / 10 ** decimals).toFixed(decimals);
        assert.equal(parseUnsignedDecimal(s), Number(s));
      })
    );
  });

  it('numbers: digits only (no sign, hex or exponent), doubles past 2^31 exact', () => {
    assert.equal(parseUnsigned('9876543210123'), 9_876_543_210_123);
    for (const bad of ['', '-1', '0x10', '1e3', '12a', ' 1']) {
      assert.ok(Number.isNaN(parseUnsigned(bad)), bad);
    }
    assert.equal(parseUnsignedDecimal('100.0'), 100);
    assert.equal(parseUnsignedDecimal('0.020824'), 0.020824);
    assert.equal(parseUnsignedDecimal('7'), 7);
    for (const bad of ['1.', '.5', '1.2.3', 'NaN', '-0.1']) {
      assert.ok(Number.isNaN(parseUnsignedDecimal(bad)), bad);
    }
    assert.equal(parseWithCommas('1,850,865,008'), 1_850_865_008);
  });
});

describe('GHC header pieces', () => {
  it('dates as the RTS writes them, with and without seconds; a UTC offset shifts them', () => {
    assert.equal(parseGhcDate('Fri Nov 27 13:48 2026'), Date.UTC(2026, 10, 27, 13, 48));
    assert.equal(parseGhcDate('Thu Nov 26 12:00:00 2026'), Date.UTC(2026, 10, 26, 12, 0, 0));
    assert.equal(parseGhcDate('Mon Mar  2 09:05 2026'), Date.UTC(2026, 2, 2, 9, 5));
    assert.equal(parseGhcDate('Fri Nov 27 13:48 2026', 60), Date.UTC(2026, 10, 27, 12, 48));
    for (const bad of ['', 'yesterday', 'Fri Foo 27 13:48 2026', 'Fri Nov 27 25:00 2026', 'Fri Nov 27 13 2026']) {
      assert.equal(parseGhcDate(bad), null, bad);
    }
  });

  it('command lines: program, arguments around +RTS ... -RTS', () => {
    assert.deepEqual(splitCommandLine('search +RTS -A4m -p -RTS 10 8'.split(' ')), {
      program: 'search',
      arguments: ['10', '8'],
      rtsArguments: ['-A4m', '-p'],
    });
    assert.deepEqual(splitCommandLine('leaky 400000 +RTS -A4m -hc -i0.02'.split(' ')), {
      program: 'leaky',
      arguments: ['400000'],
      rtsArguments: ['-A4m', '-hc', '-i0.02'],
    });
    assert.deepEqual(splitCommandLine([]), { program: '', arguments: [], rtsArguments: [] });
  });
});
