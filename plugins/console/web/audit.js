// The audit log (docs/api/auth.md: GET /v1/audit): every filter the API offers (time range,
// credential, user, status, route), kept in the page's address (#/audit?status=403), and cursor
// pagination (Next page / Previous page).
import { ApiError, api, errorBox, field, h, hasScope, loading, navigate, notice, pageHeader, replace, table, timeCell } from './lib.js';

const FILTERS = ['since', 'until', 'credential_id', 'user_id', 'status', 'route', 'limit'];
const LIMITS = ['25', '50', '100', '200'];

export async function render(root, route) {
  const query = route.query ?? new URLSearchParams();
  const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? '']));
  const resultsSlot = h('div', {}, loading('Loading the audit log…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Audit log pages' });
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const cursors = [null]; // the cursor of each page visited; the last is the current page's
  let emails = new Map();
  let lastRows = null;

  const since = h('input', { type: 'datetime-local', name: 'since', step: '1', value: toLocalInput(current.since) });
  const until = h('input', { type: 'datetime-local', name: 'until', step: '1', value: toLocalInput(current.until) });
  const credential = h('input', { type: 'text', name: 'credential_id', value: current.credential_id, placeholder: 'key_… or ogr_…', autocomplete: 'off', spellcheck: 'false' });
  const user = h('input', { type: 'text', name: 'user_id', value: current.user_id, autocomplete: 'off', spellcheck: 'false', list: 'audit-users' });
  const usersList = h('datalist', { id: 'audit-users' });
  const status = h('input', { type: 'number', name: 'status', min: '100', max: '599', step: '1', value: current.status, inputmode: 'numeric' });
  const routeInput = h('input', { type: 'text', name: 'route', value: current.route, placeholder: '/v1/api_keys/:id', maxlength: '256', autocomplete: 'off', spellcheck: 'false' });
  const limit = h(
    'select',
    { name: 'limit' },
    LIMITS.map((l) => h('option', { value: l, selected: l === (current.limit || '50') }, `${l} rows`)),
  );
  const formStatus = h('div', { 'aria-live': 'polite' });

  const form = h(
    'form',
    {
      class: 'panel',
      role: 'search',
      'aria-label': 'Filter the audit log',
      onsubmit: (event) => {
        event.preventDefault();
        const q = new URLSearchParams();
        const add = (name, value) => {
          if (value !== '' && value !== null && value !== undefined) q.set(name, value);
        };
        try {
          add('since', fromLocalInput(since.value));
          add('until', fromLocalInput(until.value));
        } catch (err) {
          formStatus.replaceChildren(notice(err.message, 'error'));
          return;
        }
        add('credential_id', credential.value.trim());
        add('user_id', user.value.trim());
        add('status', status.value.trim());
        add('route', routeInput.value.trim());
        if (limit.value !== '50') add('limit', limit.value);
        navigate(q.size ? `#/audit?${q}` : '#/audit');
      },
    },
    h('h2', {}, 'Filters'),
    h(
      'div',
      { class: 'form-grid' },
      field('From', since, 'Rows at or after this local time.'),
      field('Until', until, 'Rows before this local time.'),
      field('Credential id', credential, 'An API key (key_…), an OAuth grant (ogr_…) or a session.'),
      field('User id', user),
      field('HTTP status', status, 'e.g. 403'),
      field('Route', routeInput, 'A route template as the rows show it.'),
      field('Rows per page', limit),
    ),
    usersList,
    formStatus,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('button', { type: 'button', class: 'secondary', onclick: () => navigate('#/audit') }, 'Clear'),
    ),
  );

  root.append(
    pageHeader('Audit log', 'One row per authenticated request in this workspace, newest first.'),
    form,
    h('h2', {}, 'Requests'),
    summary,
    resultsSlot,
    pager,
  );

  if (hasScope('members:read')) {
    api('GET', '/v1/users?limit=500')
      .then((users) => {
        emails = new Map(users.map((u) => [u.user_id, u.email]));
        usersList.replaceChildren(...users.map((u) => h('option', { value: u.user_id }, u.email)));
        if (lastRows) draw(lastRows);
      })
      .catch(() => {});
  }

  function filterLink(name, value, text, label) {
    const q = new URLSearchParams(query);
    q.set(name, value);
    return h('a', { href: `#/audit?${q}`, title: label, 'aria-label': label }, text);
  }

  function draw(rows) {
    lastRows = rows;
    replace(
      resultsSlot,
      table(
        [
          { label: 'Time', class: 'nowrap', cell: (r) => timeCell(r.at) },
          {
            label: 'Request',
            class: 'nowrap',
            cell: (r) =>
              h('span', {}, h('strong', {}, r.method), ' ', filterLink('route', r.route, h('code', {}, r.route), `Only route ${r.route}`)),
          },
          {
            label: 'Status',
            cell: (r) =>
              filterLink(
                'status',
                String(r.status),
                h('span', { class: `badge ${r.status < 300 ? 'ok' : r.status < 500 ? 'warn' : 'bad'}` }, String(r.status)),
                `Only status ${r.status}`,
              ),
          },
          {
            label: 'Credential',
            class: 'nowrap',
            cell: (r) =>
              r.credential_id
                ? h(
                    'span',
                    {},
                    h('span', { class: 'muted' }, `${r.credential_type} `),
                    filterLink('credential_id', r.credential_id, h('code', {}, r.credential_id), `Only credential ${r.credential_id}`),
                  )
                : h('span', { class: 'muted' }, r.credential_type ?? '—'),
          },
          {
            label: 'User',
            class: 'nowrap',
            cell: (r) => (r.user_id ? filterLink('user_id', r.user_id, emails.get(r.user_id) ?? r.user_id, `Only user ${emails.get(r.user_id) ?? r.user_id}`) : '—'),
          },
          { label: 'Operation', class: 'nowrap', cell: (r) => (r.operation ? h('code', {}, r.operation) : '—') },
          { label: 'Tool', class: 'nowrap', cell: (r) => (r.tool ? h('code', {}, r.tool) : '—') },
          { label: 'Client', class: 'nowrap', cell: (r) => r.client_ip ?? '—' },
          { label: 'Request id', class: 'nowrap', cell: (r) => h('code', {}, r.request_id ?? '—') },
        ],
        rows,
        {
          caption: 'Audit log rows',
          empty: query.size ? 'No request matches these filters.' : 'No requests recorded yet.',
        },
      ),
    );
  }

  async function load() {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (current[f]) q.set(f, current[f]);
    const cursor = cursors[cursors.length - 1];
    if (cursor) q.set('cursor', cursor);
    replace(resultsSlot, loading('Loading the audit log…'));
    pager.replaceChildren();
    try {
      const rows = await api('GET', `/v1/audit?${q}`);
      const next = rows.nextCursor ?? null;
      draw(rows);
      const page = cursors.length;
      summary.textContent = rows.length
        ? `Page ${page}: ${rows.length} row${rows.length === 1 ? '' : 's'}${query.size ? ' matching the filters' : ''}.`
        : '';
      replace(
      pager,
        page > 1
          ? h('button', { type: 'button', class: 'secondary', onclick: () => { cursors.pop(); load(); } }, 'Previous page')
          : null,
        next ? h('button', { type: 'button', class: 'secondary', onclick: () => { cursors.push(next); load(); } }, 'Next page') : null,
        page > 1 ? h('button', { type: 'button', class: 'link', onclick: () => { cursors.length = 1; load(); } }, 'Newest') : null,
        h('button', { type: 'button', class: 'link', onclick: () => load() }, 'Refresh'),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      summary.textContent = '';
      replace(resultsSlot, errorBox(err));
      pager.replaceChildren(h('button', { type: 'button', class: 'secondary', onclick: () => load() }, 'Try again'));
    }
  }

  await load();
}

/** RFC 3339 (from the address) -> the value of a datetime-local input, in local time. */
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (local time) -> RFC 3339 in UTC; '' for none. */
function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`“${value}” is not a valid time.`);
  return d.toISOString();
}
