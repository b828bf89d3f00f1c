// Task summaries are written by the user's jobs, so they are untrusted: markdown goes through marked and then
// DOMPurify, and this module is the only place in the renderer that produces HTML from data.
import DOMPurify from 'dompurify';
import { Marked, type Token } from 'marked';

/**
 * Event-handler and style attributes in raw HTML are dropped before the HTML is parsed at all: Chromium reports
 * every parsed `on…=` / `style=` attribute as a CSP violation (even in DOMPurify's inert document), which would
 * fill the console with errors for summaries that are harmless once sanitized. DOMPurify does the sanitizing.
 */
const HANDLER_ATTR = /\s+(?:on[a-z]+|style)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;

/** The CSP allows only inline images; anything else could not load and would only log errors. */
const INLINE_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp);base64,/i;

const parser = new Marked({
  gfm: true,
  async: false,
  walkTokens(token: Token) {
    if (token.type === 'html' && 'text' in token && typeof token.text === 'string') token.text = token.text.replace(HANDLER_ATTR, '');
  },
});

let hooked = false;

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      // Never navigate the app window away; Electron opens target=_blank web links in the system browser.
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** Images the window cannot show become a short text note instead of a broken-image icon. */
function replaceBlockedImages(root: DocumentFragment, images?: ReadonlyMap<string, string>): void {
  for (const img of Array.from(root.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    if (INLINE_IMAGE.test(src)) continue;
    // A task's own image (relative src), fetched by the caller as a data: URL: shown in place.
    const inline = images?.get(src);
    if (inline) {
      img.setAttribute('src', inline);
      continue;
    }
    const note = root.ownerDocument.createElement('span');
    note.className = 'blocked-image';
    note.title = src ? `Image not shown (only embedded data: images can be displayed): ${src}` : 'Image not shown';
    note.textContent = `[image${img.getAttribute('alt') ? `: ${img.getAttribute('alt')}` : ''}]`;
    img.replaceWith(note);
  }
}

function sanitizedFragment(markdown: string): DocumentFragment {
  installHooks();
  const html = parser.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style'],
    RETURN_DOM_FRAGMENT: true,
  });
}

/** The relative image sources of a markdown text (`![](plots/a.png)`), as written: they name the task's outputs. */
export function relativeImageSources(markdown: string): string[] {
  const out = new Set<string>();
  for (const img of Array.from(sanitizedFragment(markdown).querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    if (src && !/^[a-z][a-z0-9+.-]*:/i.test(src) && !src.startsWith('/') && !src.startsWith('#')) out.add(src);
  }
  return [...out];
}

/**
 * Markdown → sanitized HTML, safe for {@html}. `images` maps a relative src to the data: URL of that output
 * (fetched by the caller); other images stay blocked by the CSP and show as a note.
 */
export function renderMarkdown(markdown: string, images?: ReadonlyMap<string, string>): string {
  const fragment = sanitizedFragment(markdown);
  replaceBlockedImages(fragment, images);
  const box = fragment.ownerDocument.createElement('div');
  box.append(fragment);
  return box.innerHTML;
}
