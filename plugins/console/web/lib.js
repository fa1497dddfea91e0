// Shared helpers of the console's pages: the element builder, the API client
// (cookie session + CSRF header), and the small building blocks every page uses
// (tables, states, labelled fields, the copy button, a confirmation dialog).
// No inline styles anywhere: the page runs under a strict CSP; looks come from
// classes in console.css.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let currentSession = null;
let unauthorizedHandler = null;
let leaveHandlers = [];
let idCounter = 0;

/** An error answer of the API: HTTP status, the error's code, message and details. */
export class ApiError extends Error {
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details ?? {};
    this.retryAfter = retryAfter;
  }
}

/** The current session (see the contract: user, tenant, role, scopes, csrf_token, workspaces, pages). */
export function session() {
  return currentSession;
}

/** For app.js: sets (or clears, with null) the current session. */
export function setSession(value) {
  currentSession = value;
}

/** For app.js: what to do when the API answers 401 (the session ended). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** A stable unique id for label/aria wiring. */
export function uid(prefix = 'c') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * h('button', {class: 'primary', type: 'button', onclick: fn}, 'Save')
 * attrs: class, for, type, name, value, aria-*, data-*, on<event> handlers, and any other
 * attribute. true sets a boolean attribute, false/null/undefined leave it out.
 * Children: strings, numbers, nodes, arrays of them; null/undefined/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'style') throw new Error('inline styles are not allowed (strict CSP): use a class');
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (key === 'for') {
      el.htmlFor = value;
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else if ((key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') && key in el) {
      el[key] = Boolean(value);
      if (key !== 'checked' && key !== 'selected') el.toggleAttribute(key, Boolean(value));
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false || child === true) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

/**
 * Calls the REST API with the session cookie. JSON in and out; unsafe methods carry the
 * X-CSRF-Token header. Returns the unwrapped `data` (null for 204). A list page's
 * `next_cursor` is on the returned array as `.nextCursor` (null on the last page).
 * Throws ApiError on a non-2xx answer; a 401 also shows the sign-in form.
 */
export async function api(method, path, body, retried = false) {
  method = method.toUpperCase();
  const headers = { Accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (!SAFE_METHODS.has(method) && currentSession?.csrf_token) headers['X-CSRF-Token'] = currentSession.csrf_token;

  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK_ERROR', `The server could not be reached (${e.message}).`);
  }
  const text = await res.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const e = parsed && typeof parsed === 'object' && parsed.error && typeof parsed.error === 'object' ? parsed.error : {};
    const err = new ApiError(
      res.status,
      e.code ?? `HTTP_${res.status}`,
      e.message ?? (res.statusText || `The server answered ${res.status}.`),
      e.details ?? {},
      res.headers.get('Retry-After'),
    );
    if (res.status === 401 && unauthorizedHandler && !path.startsWith('/console/api/sign-in')) unauthorizedHandler(err);
    if (res.status === 403 && err.code === 'CSRF_REJECTED' && err.details.reason === 'csrf_token' && !retried) {
      // Another tab switched workspace or signed in again: this tab's token belongs to the old session.
      const fresh = await api('GET', '/console/api/session');
      if (fresh.tenant?.id !== currentSession?.tenant?.id) {
        location.reload(); // the pages show another workspace now
        throw err;
      }
      currentSession = fresh;
      return api(method, path, body, true);
    }
    throw err;
  }
  if (res.status === 204 || parsed === null) return null;
  if (typeof parsed === 'object' && !Array.isArray(parsed) && 'data' in parsed) {
    const data = parsed.data;
    if (data && typeof data === 'object' && 'next_cursor' in parsed) {
      Object.defineProperty(data, 'nextCursor', { value: parsed.next_cursor ?? null, enumerable: false });
    }
    return data;
  }
  return parsed; // bare bodies (/management/v1)
}

/** Registers fn to run once when the user leaves the current page (stop timers, close streams). */
export function onLeave(fn) {
  leaveHandlers.push(fn);
}

/** For app.js: runs and forgets the current page's leave handlers. */
export function runLeaveHandlers() {
  const handlers = leaveHandlers;
  leaveHandlers = [];
  for (const fn of handlers) {
    try {
      fn();
    } catch (e) {
      console.error(e);
    }
  }
}

/** Goes to a hash route ('#/keys'); re-renders when it is the current one. */
export function navigate(hash) {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}

/**
 * A table inside a horizontally scrolling, keyboard-focusable wrapper.
 * columns: [{label, cell: row => node|string, class?}]; options: {empty, caption}.
 * With no rows, the empty state (options.empty) instead.
 */
export function table(columns, rows, options = {}) {
  if (!rows || rows.length === 0) return emptyState(options.empty ?? 'Nothing here yet.');
  const caption = options.caption ? h('caption', { class: 'visually-hidden' }, options.caption) : null;
  const t = h(
    'table',
    { class: 'data' },
    caption,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h(
      'tbody',
      {},
      rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.cell(row))))),
    ),
  );
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': options.caption ?? 'table' }, t);
}

/** The loading state. */
export function loading(text = 'Loading…') {
  return h('div', { class: 'state loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** The error state: the API's message and code (and the wait of a 429). */
export function errorBox(err) {
  const message = err?.message || String(err);
  const code = err instanceof ApiError ? err.code : null;
  const status = err instanceof ApiError && err.status ? err.status : null;
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('strong', {}, 'Error: '),
    message,
    code || status ? h('span', { class: 'code' }, ` (${[status, code].filter(Boolean).join(' ')})`) : null,
    err?.retryAfter ? h('span', {}, ` Try again in ${err.retryAfter} s.`) : null,
  );
}

/** The empty state. */
export function emptyState(text) {
  return h('div', { class: 'state empty' }, text);
}

/** A notice: kind 'info' | 'success' | 'warning' | 'error'. */
export function notice(text, kind = 'info') {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** "3 min ago" / "in 2 h" for an RFC 3339 string or epoch milliseconds; '—' for none. */
export function relTime(isoOrMs) {
  if (isoOrMs === null || isoOrMs === undefined || isoOrMs === '') return '—';
  const t = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  if (Number.isNaN(t)) return String(isoOrMs);
  const diff = t - Date.now();
  const abs = Math.abs(diff);
  const units = [
    [365 * 24 * 3600e3, 'y'],
    [30 * 24 * 3600e3, 'mo'],
    [24 * 3600e3, 'd'],
    [3600e3, 'h'],
    [60e3, 'min'],
    [1e3, 's'],
  ];
  if (abs < 5e3) return 'just now';
  for (const [ms, unit] of units) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      return diff < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

/** A time element: relative text, the exact time as its tooltip. */
export function timeCell(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: Number.isNaN(d.getTime()) ? iso : d.toLocaleString() }, relTime(iso));
}

/** A labelled form row. The control gets an id when it has none; the hint is its description. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  let hintEl = null;
  if (hint) {
    hintEl = h('div', { class: 'hint', id: uid('h') }, hint);
    const prev = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', prev ? `${prev} ${hintEl.id}` : hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A button that copies text to the clipboard and says so. */
export function copyButton(text, label = 'Copy') {
  const status = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        let ok = false;
        try {
          await navigator.clipboard.writeText(text);
          ok = true;
        } catch {
          ok = legacyCopy(text);
        }
        status.textContent = ok ? 'Copied' : 'Copy failed: select the text and copy it';
      },
    },
    label,
  );
  return h('span', { class: 'copy' }, button, status);
}

function legacyCopy(text) {
  const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** Asks for confirmation in a modal <dialog>; resolves true when confirmed. */
export function confirmAction(message, options = {}) {
  const { confirmLabel = 'Confirm', cancelLabel = 'Cancel', danger = true, title = 'Are you sure?' } = options;
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': titleId },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: titleId }, title),
        h('p', {}, message),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', value: 'cancel', class: 'secondary' }, cancelLabel),
          h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : 'primary' }, confirmLabel),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('button[value="cancel"]').focus();
  });
}

/** A page heading with optional intro text and actions. */
export function pageHeader(title, intro, ...actions) {
  return h(
    'header',
    { class: 'page-header' },
    h('div', {}, h('h1', { tabindex: '-1' }, title), intro ? h('p', { class: 'intro' }, intro) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null,
  );
}

/** Replaces the contents of a node. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** True when the session holds the scope. */
export function hasScope(scope) {
  return Boolean(currentSession?.scopes?.includes(scope));
}
