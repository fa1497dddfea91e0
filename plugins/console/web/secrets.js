// Secrets of one project: #/projects/:projectId/secrets.
// Set or rotate (the value in a password field, cleared after saving and never shown),
// the list with its sync status and last_error updating live (every 2 s while the page
// is open), delete, resync. REST: /v1/admin/projects/:projectId/secrets (docs/api/secrets.md).
import { api, confirmAction, errorBox, field, h, loading, notice, replace, table, timeCell, uid } from './lib.js';
import { pageScope, projectNav, projectPath } from './projects.js';

const enc = encodeURIComponent;
const POLL_MS = 2000;

const SYNC = {
  pending: ['Pending', 'warn'],
  syncing: ['Syncing…', 'info'],
  sync_failed_retrying: ['Failed, retrying', 'bad'],
  synced: ['Synced', 'ok'],
};

function syncBadge(status) {
  const [label, kind] = SYNC[status] ?? [status ?? '—', ''];
  return h('span', { class: ['badge', kind], 'data-sync-status': status }, label);
}

const rowKey = (s) => `${s.function ?? ''}/${s.name}`;

export async function render(root, route) {
  const scope = pageScope();
  const projectId = route.params.projectId;
  const base = `${projectPath(projectId)}/secrets`;
  const heading = h('h1', { tabindex: '-1' }, 'Secrets');
  const pageMessage = h('div', { class: 'page-message' });
  const listSlot = h('div', {}, loading('Loading the secrets…'));
  const summary = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const t = { set: uid('t'), list: uid('t') };

  // The cells that change while the page is open, per secret: updated in place, so
  // the keyboard focus and the reading position stay where they are.
  let shownKeys = '';
  let cells = new Map();

  // The project first: an unknown one is one error.
  replace(root, h('header', { class: 'page-header' }, h('div', {}, heading)), projectNav(projectId, 'secrets'), loading('Loading the project…'));
  let project;
  try {
    project = await api('GET', projectPath(projectId));
  } catch (err) {
    if (scope.alive) replace(root, h('header', { class: 'page-header' }, h('div', {}, heading)), projectNav(projectId, 'secrets'), errorBox(err));
    return;
  }
  if (!scope.alive) return;
  heading.textContent = `Secrets: ${project.name}`;

  replace(
    root,
    h(
      'header',
      { class: 'page-header' },
      h(
        'div',
        {},
        heading,
        h('p', { class: 'intro' }, 'Credentials the project’s functions receive as environment bindings. Values are encrypted and never shown again once saved.'),
      ),
    ),
    projectNav(projectId, 'secrets'),
    pageMessage,
    setForm(),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.list },
      h('h2', { id: t.list }, 'Secrets and their sync'),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: resync }, 'Resync now'),
        h('span', { class: 'hint' }, 'Rewrites every runtime target of the project (also after a delete).'),
      ),
      summary,
      listSlot,
    ),
  );

  function say(text, kind = 'success') {
    replace(pageMessage, notice(text, kind));
  }

  function setForm() {
    const name = h('input', {
      type: 'text',
      name: 'name',
      required: true,
      maxlength: '63',
      pattern: '[A-Z][A-Z0-9_]{0,62}',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'STRIPE_KEY',
    });
    const fn = h('input', {
      type: 'text',
      name: 'function',
      maxlength: '58',
      pattern: '[a-z][a-z0-9_\\-]{0,57}',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    const value = h('input', { type: 'password', name: 'value', autocomplete: 'new-password', spellcheck: 'false' });
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Save secret');
    const form = h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          for (const el of [name, fn, value]) el.removeAttribute('aria-invalid');
          const body = { name: name.value.trim(), value: value.value };
          if (fn.value.trim()) body.function = fn.value.trim();
          submit.disabled = true;
          try {
            const row = await api('POST', base, body);
            value.value = '';
            name.value = '';
            fn.value = '';
            replace(
              message,
              notice(
                `${row.name}${row.function ? ` (function ${row.function})` : ''} saved as version ${row.version}. The value will not be shown again; the status below turns Synced once the runtime has it.`,
                'success',
              ),
            );
            await load();
          } catch (err) {
            replace(message, errorBox(err));
            const control = { name, function: fn, value }[err.details?.field];
            if (control) {
              control.setAttribute('aria-invalid', 'true');
              control.focus();
            }
          } finally {
            submit.disabled = false;
          }
        },
      },
      h(
        'div',
        { class: 'form-grid' },
        field('Name', name, 'Upper-case letters, digits and _, starting with a letter. Saving an existing name rotates it.'),
        field('Function (optional)', fn, 'Leave empty for a project-wide secret every function receives.'),
        field('Value', value, 'Never displayed again, and cleared from this form once saved.'),
      ),
      h('div', { class: 'actions' }, submit),
      message,
    );
    return h('section', { class: 'panel', 'aria-labelledby': t.set }, h('h2', { id: t.set }, 'Set or rotate a secret'), form);
  }

  async function load() {
    const rows = [];
    let cursor = null;
    do {
      const page = await api('GET', `${base}?limit=500${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      rows.push(...page);
      cursor = page.nextCursor;
    } while (cursor && rows.length < 5000);
    if (!scope.alive) return;
    draw(rows);
  }

  function draw(rows) {
    const counts = {};
    for (const s of rows) counts[s.sync_status] = (counts[s.sync_status] ?? 0) + 1;
    summary.textContent = rows.length
      ? Object.entries(counts)
          .map(([status, n]) => `${n} ${(SYNC[status]?.[0] ?? status).toLowerCase()}`)
          .join(', ')
      : '';

    const keys = rows.map(rowKey).join('\n');
    if (keys === shownKeys && rows.length) {
      for (const s of rows) update(cells.get(rowKey(s)), s);
      return;
    }
    shownKeys = keys;
    cells = new Map();
    const cellsOf = (s) => {
      let c = cells.get(rowKey(s));
      if (!c) {
        c = { status: h('span'), error: h('span'), version: h('span'), updated: h('span') };
        cells.set(rowKey(s), c);
        update(c, s);
      }
      return c;
    };
    replace(
      listSlot,
      table(
        [
          { label: 'Name', cell: (s) => h('code', {}, s.name) },
          { label: 'Scope', cell: (s) => (s.function ? ['function ', h('code', {}, s.function)] : 'project-wide') },
          { label: 'Version', cell: (s) => cellsOf(s).version },
          { label: 'Sync', cell: (s) => h('div', { 'data-secret': rowKey(s) }, cellsOf(s).status) },
          { label: 'Last error', class: 'wrap', cell: (s) => cellsOf(s).error },
          { label: 'Updated', cell: (s) => cellsOf(s).updated },
          {
            label: 'Actions',
            cell: (s) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger-text small',
                  'aria-label': `Delete ${s.name}${s.function ? ` of function ${s.function}` : ''}`,
                  onclick: () => remove(s),
                },
                'Delete',
              ),
          },
        ],
        rows,
        { empty: 'No secrets yet. Set the first one above.', caption: 'Secrets' },
      ),
    );
  }

  function update(c, s) {
    if (!c) return;
    const key = `${s.sync_status}|${s.last_error}|${s.version}|${s.updated_at}`;
    if (c.key === key) {
      replace(c.updated, timeCell(s.updated_at)); // the relative time moves on
      return;
    }
    c.key = key;
    replace(c.status, syncBadge(s.sync_status));
    replace(c.error, s.last_error ? h('span', { class: 'status-error' }, s.last_error) : h('span', { class: 'muted' }, '—'));
    replace(c.version, String(s.version));
    replace(c.updated, timeCell(s.updated_at));
  }

  async function remove(s) {
    const label = `${s.name}${s.function ? ` (function ${s.function})` : ''}`;
    const ok = await confirmAction(
      `Delete the secret ${label}? The runtime keeps the value until the next sync: use Resync now to remove it at once.`,
      { confirmLabel: 'Delete secret', title: 'Delete this secret?' },
    );
    if (!ok) return;
    try {
      await api('DELETE', `${base}/${enc(s.name)}${s.function ? `?function=${enc(s.function)}` : ''}`);
      say(`The secret ${label} was deleted. Resync to remove it from the runtime now.`);
      await load();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  async function resync() {
    try {
      await api('POST', `${base}/resync`);
      say('A sync of the whole project was scheduled.');
      await load();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  // The first load shows its error in place of the list; later polls keep the last list
  // and say that the refresh failed.
  let failing = false;
  try {
    await load();
  } catch (err) {
    if (!scope.alive) return;
    replace(listSlot, errorBox(err));
    failing = true;
  }
  const staleNote = h('div');
  listSlot.before(staleNote);
  scope.later(
    () =>
      scope.poll(async () => {
        try {
          await load();
          if (failing) {
            failing = false;
            replace(staleNote);
          }
        } catch (err) {
          if (err.status === 401) throw err;
          failing = true;
          replace(staleNote, notice(`The list could not be refreshed: ${err.message}`, 'warning'));
        }
      }, POLL_MS),
    POLL_MS,
  );
}
