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
function replaceBlockedImages(root: DocumentFragment): void {
  for (const img of Array.from(root.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    if (INLINE_IMAGE.test(src)) continue;
    const note = root.ownerDocument.createElement('span');
    note.className = 'blocked-image';
    note.title = src ? `Image not shown (only embedded data: images can be displayed): ${src}` : 'Image not shown';
    note.textContent = `[image${img.getAttribute('alt') ? `: ${img.getAttribute('alt')}` : ''}]`;
    img.replaceWith(note);
  }
}

/** Markdown → sanitized HTML, safe for {@html}. */
export function renderMarkdown(markdown: string): string {
  installHooks();
  const html = parser.parse(markdown, { async: false });
  const fragment = DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style'],
    RETURN_DOM_FRAGMENT: true,
  });
  replaceBlockedImages(fragment);
  const box = fragment.ownerDocument.createElement('div');
  box.append(fragment);
  return box.innerHTML;
}
