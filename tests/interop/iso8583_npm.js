// ISO 8583 with the npm package iso_8583: a peer paygate did not write.
//   node iso8583_npm.js pack   < {"0":"0100","2":"..."}   > hex of the framed message
//   node iso8583_npm.js unpack < hex of a framed message  > {"0":"0100",...}
'use strict';
const fs = require('fs');
const Iso8583 = require('iso_8583');

const mode = process.argv[2];
const input = fs.readFileSync(0, 'utf8').trim();
if (mode === 'pack') {
  const message = new Iso8583(JSON.parse(input));
  const valid = message.validateMessage();
  if (valid !== true) { console.error(JSON.stringify(valid)); process.exit(1); }
  const buffer = message.getBufferMessage();
  if (buffer.error) { console.error(buffer.error); process.exit(1); }
  process.stdout.write(buffer.toString('hex'));
} else if (mode === 'unpack') {
  const parsed = new Iso8583().getIsoJSON(Buffer.from(input, 'hex'), {});
  if (parsed.error) { console.error(parsed.error); process.exit(1); }
  process.stdout.write(JSON.stringify(parsed));
} else {
  console.error('usage: iso8583_npm.js pack|unpack');
  process.exit(2);
}
