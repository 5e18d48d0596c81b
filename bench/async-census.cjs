// Preloaded (`node --require`) into each shop process by `npm run bench:compare -- ... --census`:
// counts the async resources the process creates (promises, timers, ...) by type, and on SIGUSR2
// writes the counts so far to <CLEAVE_CENSUS_DIR>/<pid>.json. Unlike CPU time, the number a paid
// order creates does not move with what else the machine is doing: a steady measure of the work
// the code does per order. The hook itself slows the process, so CPU figures taken with it on are
// not comparable with figures taken without it.
'use strict';
const { createHook } = require('node:async_hooks');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.CLEAVE_CENSUS_DIR;
if (dir) {
  const counts = Object.create(null);
  createHook({
    init(_id, type) {
      counts[type] = (counts[type] ?? 0) + 1;
    },
  }).enable();
  process.on('SIGUSR2', () => {
    const file = join(dir, `${process.pid}.json`);
    // Written whole, then renamed: the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file);
  });
}
