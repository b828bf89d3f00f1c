// Locates the first syntax error in a JSON text. JSON.parse's messages differ between Node versions and some
// carry no position at all, so we scan the text ourselves to always report line and column.

export interface JsonSyntaxProblem {
  offset: number;
  line: number; // 1-based
  column: number; // 1-based
  problem: string;
}

type State = 'value' | 'firstValueOrEnd' | 'afterValue' | 'key' | 'firstKeyOrEnd' | 'colon';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const show = (c: string): string => (c === '\n' ? 'a line break' : c === '\t' ? 'a tab' : `'${c}'`);

/** Returns null when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  const fail = (offset: number, problem: string): JsonSyntaxProblem => ({ offset, ...lineColumn(text, offset), problem });
  const stack: string[] = [];
  let state: State = 'value';
  let i = 0;
  const n = text.length;

  const scanString = (): JsonSyntaxProblem | null => {
    const start = i;
    i++;
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return null;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) return fail(i, 'invalid \\u escape in string (needs 4 hex digits)');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail(i, `invalid escape '\\${e ?? ''}' in string`);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) return fail(i, `${show(c)} inside a string (escape it, e.g. \\n)`);
      i++;
    }
    return fail(start, 'unterminated string (missing closing ")');
  };

  while (true) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) {
      if (state === 'afterValue' && stack.length === 0) return null;
      return fail(n, stack.length ? `unexpected end of input: missing '${stack[stack.length - 1] === '{' ? '}' : ']'}'` : 'unexpected end of input');
    }
    const c = text[i]!;
    if (state === 'value' || state === 'firstValueOrEnd') {
      if (c === ']' && state === 'firstValueOrEnd') {
        stack.pop();
        i++;
        state = 'afterValue';
      } else if (c === '{') {
        stack.push('{');
        i++;
        state = 'firstKeyOrEnd';
      } else if (c === '[') {
        stack.push('[');
        i++;
        state = 'firstValueOrEnd';
      } else if (c === '"') {
        const p = scanString();
        if (p) return p;
        state = 'afterValue';
      } else if (c === '-' || (c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) return fail(i, 'invalid number');
        i += m[0].length;
        state = 'afterValue';
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
        i += 4;
        state = 'afterValue';
      } else if (text.startsWith('false', i)) {
        i += 5;
        state = 'afterValue';
      } else if (c === ']' || c === '}') {
        return fail(i, `unexpected ${show(c)} (trailing comma?)`);
      } else if (c === "'") {
        return fail(i, 'strings must use double quotes (")');
      } else {
        return fail(i, `unexpected ${show(c)}; expected a value`);
      }
    } else if (state === 'afterValue') {
      const top = stack[stack.length - 1];
      if (top === undefined) return fail(i, `unexpected ${show(c)} after the end of the JSON document`);
      const close = top === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (c === close) {
        stack.pop();
        i++;
        state = 'afterValue';
      } else {
        return fail(i, `expected ',' or '${close}' but found ${show(c)}`);
      }
    } else if (state === 'key' || state === 'firstKeyOrEnd') {
      if (c === '}' && state === 'firstKeyOrEnd') {
        stack.pop();
        i++;
        state = 'afterValue';
      } else if (c === '"') {
        const p = scanString();
        if (p) return p;
        state = 'colon';
      } else if (c === '}') {
        return fail(i, "unexpected '}' (trailing comma?)");
      } else {
        return fail(i, `expected a property name in double quotes but found ${show(c)}`);
      }
    } else {
      if (c !== ':') return fail(i, `expected ':' after the property name but found ${show(c)}`);
      i++;
      state = 'value';
    }
  }
}
