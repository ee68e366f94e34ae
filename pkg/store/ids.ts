import { randomBytes } from 'node:crypto';

/** Random url-safe id: 16 characters, 96 bits (profiles; tokens get the `tok_` prefix). */
export function newId(prefix = ''): string {
  return prefix + randomBytes(12).toString('base64url');
}
