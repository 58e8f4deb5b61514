// JWE with the npm package jose: a peer paygate did not write.
//   node jose_jwe.mjs encrypt PUBLIC.pem ALG ENC   < plaintext  > compact
//   node jose_jwe.mjs decrypt PRIVATE.pem ALG      < compact    > plaintext
import { readFileSync } from 'node:fs';
import { CompactEncrypt, compactDecrypt, importPKCS8, importSPKI } from 'jose';

const [mode, keyFile, alg, enc] = process.argv.slice(2);
const input = readFileSync(0);
const pem = readFileSync(keyFile, 'utf8');
if (mode === 'encrypt') {
  const key = await importSPKI(pem, alg);
  const jwe = await new CompactEncrypt(input).setProtectedHeader({ alg, enc }).encrypt(key);
  process.stdout.write(jwe);
} else if (mode === 'decrypt') {
  const key = await importPKCS8(pem, alg);
  const { plaintext } = await compactDecrypt(input.toString('utf8').trim(), key);
  process.stdout.write(Buffer.from(plaintext));
} else {
  console.error('usage: jose_jwe.mjs encrypt|decrypt KEY ALG [ENC]');
  process.exit(2);
}
