// Preloaded (node --require) into services started as local processes: the
// chain's service names resolve to this machine, as compose's DNS resolves
// them to the containers. NEXT_HOP can then name node-ringo, and errors name
// the failing hop exactly as they do in the real stack.
const dns = require('node:dns');
const { SERVICE_NAMES } = require('@ping-pong/contract');

const names = new Set(SERVICE_NAMES);
const lookup = dns.lookup;

dns.lookup = function lookupServiceNames(hostname, options, callback) {
  if (!names.has(hostname)) return lookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
};
