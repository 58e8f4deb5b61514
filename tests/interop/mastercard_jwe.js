// JWE with the npm package mastercard-client-encryption (its JWE mode): a peer paygate
// did not write. It wants an X.509 certificate even to decrypt.
//   node mastercard_jwe.js decrypt CERT.pem PRIVATE.pem < compact  > {"card":...} JSON
//   node mastercard_jwe.js encrypt CERT.pem PRIVATE.pem < JSON     > compact
'use strict';
const fs = require('fs');
const { JweEncryption } = require('mastercard-client-encryption');

const [mode, certFile, keyFile] = process.argv.slice(2);
const input = fs.readFileSync(0, 'utf8').trim();
const jwe = new JweEncryption({
  paths: [{ path: '/payments', toEncrypt: [{ element: 'card', obj: 'card' }], toDecrypt: [{ element: 'card', obj: 'card' }] }],
  mode: 'JWE',
  encryptedValueFieldName: 'encryptedValue',
  encryptionCertificate: certFile,
  privateKey: keyFile,
});
if (mode === 'decrypt') {
  const body = jwe.decrypt({ request: { url: '/payments' }, body: { card: { encryptedValue: input } } });
  process.stdout.write(JSON.stringify(body.card));
} else if (mode === 'encrypt') {
  const out = jwe.encrypt('/payments', {}, { card: JSON.parse(input) });
  process.stdout.write(out.body.card.encryptedValue);
} else {
  console.error('usage: mastercard_jwe.js encrypt|decrypt CERT KEY');
  process.exit(2);
}
