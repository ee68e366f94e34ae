/**
 * Redaction of secrets in GHC's command lines (issue 12 §5), on real GHC 9.0.2 artefacts of a run with
 * `--password=hunter2 --api-key sk_live_abc123 --db-url=postgres://dbuser:dbpass@db:5432/app`
 * (test/fixtures/ghc/secrets/generate.sh): the secrets are gone, sizes are kept, every reader still parses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readProfile } from './index';
import { redactArtefact, redactEnvironment, redactText } from './redact';

const DIR = 'test/fixtures/ghc/secrets';
const SECRETS = ['hunter2', 'sk_live_abc123', 'dbuser', 'dbpass'];
const FILES = ['leaky-secrets.prof', 'leaky-secrets.json.prof', 'leaky-secrets.hc.hp', 'leaky-secrets.eventlog'];

const found = (bytes: Buffer) => SECRETS.filter((s) => bytes.includes(s));

describe('redactArtefact', () => {
  for (const file of FILES) {
    it(`${file}: the three secrets are starred in place, the reader parses the same profile`, async () => {
      const original = readFileSync(`${DIR}/${file}`);
      assert.deepEqual(found(original), SECRETS, 'the fixture carries the secrets');
      const { bytes, count } = redactArtefact(original);
      assert.equal(count, 3);
      assert.deepEqual(found(bytes), []);
      assert.equal(bytes.length, original.length);
      assert.deepEqual(found(original), SECRETS, 'the input buffer is not changed');
      // Only secret bytes changed, each to '*'.
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== original[i]) assert.equal(bytes[i], 0x2a, `byte ${i}`);
      }
      assert.ok(bytes.includes('--password=*******') && bytes.includes('postgres://*************@db:5432/app'));

      const before = await readProfile(original, { file });
      const after = await readProfile(bytes, { file });
      assert.equal(after.kind, before.kind);
      assert.deepEqual(after.tree, before.tree);
      assert.equal(after.heap?.samples.length, before.heap?.samples.length);
      const told = JSON.stringify([after.program, after.rtsArguments, after.heap?.job ?? '']);
      assert.deepEqual(found(Buffer.from(told)), [], told);
      assert.deepEqual(redactArtefact(bytes).bytes, bytes, 'redacting again changes nothing');
    });
  }

  it('leaves artefacts without secrets as they are (the same buffer)', () => {
    const plain = readFileSync('test/fixtures/ghc/leaky.prof');
    const { bytes, count } = redactArtefact(plain);
    assert.equal(count, 0);
    assert.equal(bytes, plain);
  });
});

describe('redactText', () => {
  const redact = (text: string) => {
    const bytes = Buffer.from(text, 'latin1');
    const count = redactText(bytes);
    return { text: bytes.toString('latin1'), count };
  };

  it('matches the two patterns and nothing else', () => {
    assert.deepEqual(redact('x -token=abc --SECRET def --keyfile=k --key= --passwd\tq'), {
      text: 'x -token=*** --SECRET *** --keyfile=k --key= --passwd\t*',
      count: 3,
    });
    assert.deepEqual(redact('see https://u:p@h/x and https://only-user@h and ftp://a:b@c'), {
      text: 'see https://***@h/x and https://only-user@h and ftp://***@c',
      count: 2,
    });
  });

  it('stays linear on adversarial input (a backtracking regex would not finish)', () => {
    const n = 200_000;
    // Long runs that almost match, many times over: each byte is still looked at a bounded number of times.
    const adversarial = `${'--passwor'.repeat(n)}${'a://'.repeat(n)}${'x://a:b'.repeat(n)}`;
    const { count } = redact(adversarial);
    assert.equal(count, 0);
    const { text } = redact(`${'-'.repeat(n)}key=${'v'.repeat(n)}`);
    assert.equal(text.slice(-n), '*'.repeat(n));
  });
});

describe('redactEnvironment', () => {
  it('stars values of variables whose names hold a keyword', () => {
    const env = Buffer.from('HOME=/root\0DB_PASSWORD=s3cret\0GITHUB_TOKEN=ghp_x\0PATH=/bin\0', 'latin1');
    assert.equal(redactEnvironment(env, 0, env.length), 2);
    assert.equal(env.toString('latin1'), 'HOME=/root\0DB_PASSWORD=******\0GITHUB_TOKEN=*****\0PATH=/bin\0');
  });
});
