// The host matches every request to a call from the contract's routes (src-shared/api/routes.ts).
import { describe, expect, it } from 'vitest';
import { calls, type CallName } from '../../src-shared/api/contract';
import { API_PREFIX, buildHttpRequest, matchRoute, paramNames } from '../../src-shared/api/routes';

describe('matchRoute', () => {
  it('finds every call of the contract from the request a client builds for it, with its parameters', () => {
    for (const name of Object.keys(calls) as CallName[]) {
      const [method, path] = calls[name].http;
      const params = Object.fromEntries(paramNames(path).map((p) => [p, `${p} é/1`]));
      const req = buildHttpRequest(name, params);
      const pathOnly = req.url.slice(API_PREFIX.length).split('?')[0] as string;
      expect(matchRoute(method, pathOnly), `${method} ${path}`).toEqual({ name, params });
    }
  });

  it('answers null for an unknown path, a wrong method or a wrong number of segments', () => {
    expect(matchRoute('GET', '/runs')?.name).toBe('runs.list');
    expect(matchRoute('PUT', '/runs')).toBeNull();
    expect(matchRoute('GET', '/nope')).toBeNull();
    expect(matchRoute('GET', '/runs/a/b/c/d/e/f')).toBeNull();
    expect(matchRoute('GET', '/runs/abc/unknown')).toBeNull();
  });

  it('decodes parameters and ignores repeated slashes as before', () => {
    expect(matchRoute('GET', '/runs/a%2Fb')).toEqual({ name: 'runs.get', params: { id: 'a/b' } });
    expect(matchRoute('GET', '//runs//x%20y/')).toEqual({ name: 'runs.get', params: { id: 'x y' } });
  });
});
