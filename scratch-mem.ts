import { testDb } from './test/server/test-db.ts';
const t0 = Date.now();
const a = await testDb();
console.log('first', Date.now() - t0, process.memoryUsage().rss >> 20);
for (let i = 0; i < 3; i++) { const t = Date.now(); const d = await testDb(); console.log('next', Date.now() - t, process.memoryUsage().rss >> 20); await d.close(); console.log('after close', process.memoryUsage().rss >> 20); }
