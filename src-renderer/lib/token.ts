// The headless host hands the page its bearer token in the URL fragment (never sent to the server, never in
// logs). We move it to sessionStorage at once so it does not linger in the address bar or in screenshots.
const KEY = 'scripthut.token';

export interface TokenPlaces {
  location: { hash: string; pathname: string; search: string };
  storage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  history: { state: unknown; replaceState(state: unknown, unused: string, url: string): void };
}

export function takeTokenFromLocation({ location: loc, storage, history }: TokenPlaces): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', loc.pathname + loc.search + (rest ? `#${rest}` : ''));
    return fromHash;
  }
  return storage.getItem(KEY);
}

/** The token without moving it (the early read runs before the app takes it from the address). */
export function readToken(hash: string, storage: { getItem(k: string): string | null }): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') || storage.getItem(KEY);
}
