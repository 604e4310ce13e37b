// Unit tests of the search state (src/search.ts): the query's bounds checked
// before sending, pages of hits added once each, the cursor for the next page.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { build } from 'esbuild';

const bundled = await build({
  entryPoints: [fileURLToPath(new URL('../src/search.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'error',
});
const { SearchResults, searchQueryProblem } = await import(`data:text/javascript,${encodeURIComponent(bundled.outputFiles[0].text)}`);

const hit = (chat, seq, snippet = `hit ${seq}`) => ({ chat, seq, from: 2, ts: 1000 + seq, snippet });

test('a query is refused before sending when empty, only spaces, too long or holding NUL', () => {
  assert.match(searchQueryProblem(''), /Type something/);
  assert.match(searchQueryProblem('   '), /Type something/);
  assert.match(searchQueryProblem('a\0b'), /NUL/);
  // 100 code points pass, 101 do not, counted as code points (not UTF-16 units).
  assert.equal(searchQueryProblem('東'.repeat(100)), null);
  assert.equal(searchQueryProblem('😀'.repeat(100)), null);
  assert.match(searchQueryProblem('x'.repeat(101)), /at most 100/);
  assert.equal(searchQueryProblem(' port '), null);
});

test('pages of hits: kept in the order sent, each (chat, seq) once, with the cursor for the next page', () => {
  const results = new SearchResults('port');
  assert.equal(results.status, 'searching');
  assert.deepEqual(results.nextArgs(20), { q: 'port', limit: 20 });
  const first = results.addPage({ hits: [hit(5, 9), hit(7, 3)], more: true, next: 'c1' });
  assert.equal(first.length, 2);
  assert.equal(results.status, 'done');
  assert.equal(results.more, true);
  assert.deepEqual(results.nextArgs(20), { q: 'port', before: 'c1', limit: 20 });
  // A hit seen already (the same chat and seq) is not listed twice.
  const second = results.addPage({ hits: [hit(7, 3), hit(5, 2)], more: false, next: null });
  assert.deepEqual(second.map((h) => `${h.chat}:${h.seq}`), ['5:2']);
  assert.deepEqual(results.hits.map((h) => `${h.chat}:${h.seq}`), ['5:9', '7:3', '5:2']);
  assert.equal(results.more, false);
  assert.equal(results.next, null);
  assert.deepEqual(results.nextArgs(20), { q: 'port', limit: 20 });
});

test('no hits is a finished search; a failure keeps its reason', () => {
  const results = new SearchResults('nothing like it');
  results.addPage({ hits: [], more: false, next: null });
  assert.equal(results.status, 'done');
  assert.equal(results.hits.length, 0);
  results.failed('search: no answer');
  assert.equal(results.status, 'failed');
  assert.equal(results.error, 'search: no answer');
});
