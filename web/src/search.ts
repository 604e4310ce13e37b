// What a search shows: the query, its hits page by page (deduplicated by chat
// and seq, newest first as the server sends them) and whether there are more.
// Pure state with no I/O; ChatApp runs the `search` requests.
import { kSearchQueryMaxCodePoints, type SearchAnswer, type SearchHit } from './protocol';

// Why a query cannot be sent (the contract's bounds), or null when it can.
// Checked here so that the user gets a clear word at once instead of a
// `bad_request`.
export function searchQueryProblem(query: string): string | null {
  if (query.trim() === '') return 'Type something to search for.';
  if ([...query].length > kSearchQueryMaxCodePoints) return `A search is at most ${kSearchQueryMaxCodePoints} characters.`;
  if (query.includes('\0')) return 'A search cannot hold a NUL character.';
  return null;
}

export type SearchStatus = 'searching' | 'done' | 'failed';

export class SearchResults {
  readonly hits: SearchHit[] = [];
  more = false;
  next: string | null = null;
  status: SearchStatus = 'searching';
  error = '';
  private readonly keys = new Set<string>();

  constructor(readonly query: string) {}

  // Adds a page of the answer; returns the hits that were new.
  addPage(answer: SearchAnswer): SearchHit[] {
    const added: SearchHit[] = [];
    for (const hit of answer.hits) {
      const key = `${hit.chat}:${hit.seq}`;
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.hits.push(hit);
      added.push(hit);
    }
    this.more = answer.more && answer.next !== null;
    this.next = this.more ? answer.next : null;
    this.status = 'done';
    this.error = '';
    return added;
  }

  failed(why: string): void {
    this.status = 'failed';
    this.error = why;
  }

  // The `search` arguments for the next page (or the first).
  nextArgs(limit: number): Record<string, unknown> {
    return this.next ? { q: this.query, before: this.next, limit } : { q: this.query, limit };
  }
}
