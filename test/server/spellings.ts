// The other base64url spellings of a token's signature (issue 9, finding 4): a 256-bit MAC
// needs 43 characters that carry 258 bits, so the last character's two low bits are
// unused and four characters (e.g. k, l, m, n) decode to the same bytes.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function otherSpellings(token: string): string[] {
  const last = ALPHABET.indexOf(token.at(-1) ?? '');
  if (last < 0) throw new Error('token does not end in base64url');
  const group = last & ~3;
  return [0, 1, 2, 3].filter((i) => group + i !== last).map((i) => token.slice(0, -1) + ALPHABET[group + i]);
}
