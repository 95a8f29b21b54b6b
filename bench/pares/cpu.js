// Preloaded into a peer (node --require cpu.js jre.js ...): the peers time
// their loop with two calls to process.hrtime.bigint(); this records the
// process's CPU (user + system, all of node's threads) at each call and, at
// exit, prints {"cpu_s": N}: the CPU of the same loop the peer timed, for
// bench_rules to compare per CPU-second on a shared machine.
'use strict';
const fs = require('fs');
const hr = process.hrtime.bigint;
const marks = [];
process.hrtime.bigint = function () {
  marks.push(process.cpuUsage());
  return hr.call(process.hrtime);
};
process.on('exit', () => {
  if (marks.length < 2) return;
  const a = marks[0], b = marks[marks.length - 1];
  const us = (b.user - a.user) + (b.system - a.system);
  fs.writeSync(1, JSON.stringify({ cpu_s: us / 1e6 }) + '\n');
});
