import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelQuery, labelsFromEnvironment, parseLabelArgs } from './labels';

describe('labels', () => {
  it('parses NAME=VALUE flags, keeping = inside values', () => {
    assert.deepEqual(parseLabelArgs(['service=api', 'query=a=b', 'empty=']), {
      service: 'api',
      query: 'a=b',
      empty: '',
    });
  });

  it('rejects flags without a valid name', () => {
    assert.throws(() => parseLabelArgs(['service']), /--label "service": expected NAME=VALUE/);
    assert.throws(() => parseLabelArgs(['1x=y']), /--label "1x=y"/);
    assert.throws(() => parseLabelArgs(['=y']), /--label "=y"/);
  });

  it('maps the downward-API environment to Kubernetes label names, SERVICE before APP', () => {
    const env = {
      POD_NAME: 'api-7d9f-x2',
      POD_NAMESPACE: 'shop',
      CONTAINER_NAME: 'api',
      APP: 'api-app',
      SERVICE: 'api',
      VERSION: '1.4.2',
      HOME: '/root',
    };
    assert.deepEqual(labelsFromEnvironment(env), {
      pod: 'api-7d9f-x2',
      namespace: 'shop',
      container: 'api',
      service: 'api',
      version: '1.4.2',
    });
    assert.deepEqual(labelsFromEnvironment({ APP: 'web', POD_NAME: ' ' }), { service: 'web' });
  });

  it('encodes labels as repeated label=name%3Dvalue parameters', () => {
    assert.equal(labelQuery({ service: 'api', pod: 'a b&c' }), 'label=service%3Dapi&label=pod%3Da+b%26c');
    assert.equal(labelQuery({}), '');
  });
});
